/*
 * What the spawn storm starts: a process that exits at once with status 0,
 * or, given a number of microseconds, first burns that much CPU time; given
 * a number of MiB too, it first writes that much memory (one fault a page,
 * and an address space to tear down at the exit), and given a number of
 * threads, it exits while all but itself still burn CPU without end.
 * Given "segv", it crashes: killed by SIGSEGV, without a core dump.
 * Linked statically, so its exec maps one file and runs no dynamic loader:
 * the storm measures process creation, not library loading.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static long long cpu_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Checking the clock every few thousand steps keeps the burn in user mode. */
static void burn(clockid_t clock, long long ns)
{
	volatile unsigned long spin = 0;
	long long until = cpu_ns(clock) + ns;

	while (cpu_ns(clock) < until)
		for (int i = 0; i < 20000; i++)
			spin++;
}

static int started;

static void *spinner(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_RELEASE);
	for (;;)
		burn(CLOCK_THREAD_CPUTIME_ID, 1000000000LL);
	return NULL;
}

int main(int argc, char **argv)
{
	long mib = argc > 2 ? atol(argv[2]) : 0;
	int threads = argc > 3 ? atoi(argv[3]) : 1;
	pthread_t t;

	if (argc < 2)
		return 0;
	if (strcmp(argv[1], "segv") == 0) {
		/* A crash, as the exit records see one; no core file to write. */
		struct rlimit none = { 0, 0 };

		setrlimit(RLIMIT_CORE, &none);
		raise(SIGSEGV);
		return 2;
	}
	if (mib > 0) {
		char *p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 1;
		for (long off = 0; off < mib << 20; off += 4096)
			p[off] = 1;
	}
	for (int i = 1; i < threads; i++)
		if (pthread_create(&t, NULL, spinner, NULL) != 0)
			return 1;
	burn(CLOCK_THREAD_CPUTIME_ID, atoll(argv[1]) * 1000LL);
	/* Every spinner running or queued to run when exit_group() kills them. */
	while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) < threads - 1)
		burn(CLOCK_THREAD_CPUTIME_ID, 100000);
	return 0;
}
