/*
 * What the spawn storm starts: a process that exits at once with status 0,
 * or, given a number of microseconds, first burns that much CPU time.
 * Linked statically, so its exec maps one file and runs no dynamic loader:
 * the storm measures process creation, not library loading.
 */
#include <stdlib.h>
#include <time.h>

static long long cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	volatile unsigned long spin = 0;
	long long until;

	if (argc < 2)
		return 0;
	until = cpu_ns() + atoll(argv[1]) * 1000LL;
	/* Checking the clock every few thousand steps keeps the burn in user mode. */
	while (cpu_ns() < until)
		for (int i = 0; i < 20000; i++)
			spin++;
	return 0;
}
