/*
 * The workload's cost and OOM modes. Their truth is what the parent's wait4()
 * reports: `cost` prints, besides each child's outcome line, one line
 *   rusage <utime-us> <stime-us> <maxrss-KiB> <minflt> <majflt> <nvcsw> <nivcsw> <inblock> <oublock>
 * per child, and `oom-cgroup` prints each child's outcome after its role
 * ("holder signaled SIGKILL", "trigger exited 0", "killed signaled SIGKILL").
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

#define PAGE 4096L
#define MIB (1L << 20)

/* ---- what one cost child does ---- */

/* How a cost child's threads end. */
enum cost_ending {
	COST_JOIN = 0,         /* the leader joins the others, then exits */
	COST_LEADER_FIRST = 1, /* the leader pthread_exit()s before the other threads burn */
	COST_BUSY_EXIT = 2,    /* the leader exits while the others still burn, without end */
};

#define COST_MAX_THREADS 256

struct cost_plan {
	long user_ms, system_ms; /* CPU each thread burns */
	int ending;              /* enum cost_ending */
	sem_t leader_gone;
	int started;             /* threads running (COST_BUSY_EXIT) */
};

static long long thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Arithmetic, with a clock read (one cheap syscall) every ~0.1 ms of it. */
static void burn_user(long ms)
{
	long long end = thread_cpu_ns() + ms * 1000000LL;
	volatile unsigned long sink = 0;

	while (thread_cpu_ns() < end)
		for (unsigned long i = 0; i < 100000; i++)
			sink += i * i;
}

/* Reading /dev/zero: the kernel clears the buffer, so the time is system time. */
static void burn_system(long ms)
{
	static __thread char buf[64 * 1024];
	long long end = thread_cpu_ns() + ms * 1000000LL;
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		exit(110);
	while (thread_cpu_ns() < end)
		if (read(fd, buf, sizeof(buf)) < 0)
			exit(111);
	close(fd);
}

static void *cost_worker(void *arg)
{
	struct cost_plan *plan = arg;

	if (plan->ending == COST_BUSY_EXIT) {
		__atomic_add_fetch(&plan->started, 1, __ATOMIC_RELEASE);
		for (;;)
			burn_user(1000);
	}
	if (plan->ending == COST_LEADER_FIRST)
		while (sem_wait(&plan->leader_gone) != 0)
			;
	burn_user(plan->user_ms);
	burn_system(plan->system_ms);
	return NULL;
}

/* Resident memory: every page written once (one minor fault each). */
static void touch_memory(long mib)
{
	char *p;

	if (mib <= 0)
		return;
	p = mmap(NULL, mib * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		exit(112);
	for (long off = 0; off < mib * MIB; off += PAGE)
		p[off] = 1;
}

/*
 * Storage I/O that reaches the disk: write and fsync, drop the cached pages,
 * fault them back through a mapping (major faults), drop them again, read().
 */
static void do_io(const char *file, long kib)
{
	static char buf[64 * 1024];
	long bytes = kib * 1024;
	volatile char sink = 0;
	char *map;
	int fd;

	if (kib <= 0)
		return;
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		exit(113);
	memset(buf, 'x', sizeof(buf));
	for (long done = 0; done < bytes; done += (long)sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			exit(114);
	if (fsync(fd) != 0 || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
		exit(115);
	map = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		exit(116);
	for (long off = 0; off < bytes; off += PAGE)
		sink += map[off];
	munmap(map, bytes);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	lseek(fd, 0, SEEK_SET);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	unlink(file);
}

/* child cost <threads> <user-ms> <system-ms> <MiB> <io-KiB> <file> <enum cost_ending> */
static int cost_child(char **argv)
{
	static struct cost_plan plan;
	static pthread_t workers[COST_MAX_THREADS];
	int threads = atoi(argv[3]);

	plan.user_ms = atol(argv[4]);
	plan.system_ms = atol(argv[5]);
	plan.ending = atoi(argv[9]);
	sem_init(&plan.leader_gone, 0, 0);
	if (threads < 1 || threads > COST_MAX_THREADS)
		return 117;
	for (int i = 1; i < threads; i++)
		if (pthread_create(&workers[i], NULL, cost_worker, &plan) != 0)
			return 118;
	touch_memory(atol(argv[6]));
	do_io(argv[8], atol(argv[7]));
	burn_user(plan.user_ms);
	burn_system(plan.system_ms);
	if (plan.ending == COST_BUSY_EXIT) {
		/* Every thread on a CPU or queued for one when exit_group() kills them. */
		while (__atomic_load_n(&plan.started, __ATOMIC_ACQUIRE) < threads - 1)
			sleep_ms(1);
		sleep_ms(20);
		return 0;
	}
	if (plan.ending == COST_LEADER_FIRST) {
		for (int i = 1; i < threads; i++)
			sem_post(&plan.leader_gone);
		pthread_exit(NULL); /* the last worker to finish ends the process, status 0 */
	}
	for (int i = 1; i < threads; i++)
		pthread_join(workers[i], NULL);
	return 0;
}

/* ---- the OOM children ---- */

static void enter_cgroup(const char *dir)
{
	char path[4096];
	int fd;

	if (strcmp(dir, "-") == 0)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1)
		exit(119);
	close(fd);
}

/* child oom-hold <MiB> <cgroup-dir|-> <ready-fd>: touch, say so, wait to be killed. */
static int oom_hold(char **argv)
{
	int ready = atoi(argv[5]);

	enter_cgroup(argv[4]);
	touch_memory(atol(argv[3]));
	if (write(ready, "r", 1) != 1)
		return 120;
	close(ready);
	alarm(60); /* never outlive a broken test */
	for (;;)
		pause();
}

/* child oom-touch <MiB> <cgroup-dir>: touch and exit 0, if the OOM killer spares it. */
static int oom_touch(char **argv)
{
	enter_cgroup(argv[4]);
	touch_memory(atol(argv[3]));
	return 0;
}

int run_cost_child(int argc, char **argv)
{
	if (strcmp(argv[2], "cost") == 0 && argc >= 10)
		return cost_child(argv);
	if (strcmp(argv[2], "oom-hold") == 0 && argc >= 6)
		return oom_hold(argv);
	if (strcmp(argv[2], "oom-touch") == 0 && argc >= 5)
		return oom_touch(argv);
	return 121;
}

/* ---- parents ---- */

/*
 * cost <children> <path> <threads> <user-ms> <system-ms> <MiB> <io-KiB> <dir> [how]
 * how: leader-first, busy-exit (enum cost_ending), or same-memory (every
 * child touches <MiB>; else child i touches (i % 4 + 1) × <MiB>).
 */
int run_cost(int argc, char **argv)
{
	int n = atoi(argv[2]);
	const char *how = argc > 10 ? argv[10] : "";
	char *ending = strcmp(how, "leader-first") == 0 ? "1" : strcmp(how, "busy-exit") == 0 ? "2" : "0";
	long scale_memory = strcmp(how, "same-memory") != 0;

	for (int i = 0; i < n; i++) {
		char mib[32], file[4096];
		char *child_argv[] = { argv[3], "child", "cost", argv[4], argv[5], argv[6],
				       mib, argv[8], file, ending, NULL };

		/* Several RSS buckets, unless every child is to be alike. */
		snprintf(mib, sizeof(mib), "%ld", atol(argv[7]) * (scale_memory ? i % 4 + 1 : 1));
		snprintf(file, sizeof(file), "%s/io-%d", argv[9], i);
		if (spawn(argv[3], child_argv) < 0)
			return 1;
	}
	for (int i = 0; i < n; i++) {
		struct rusage ru;
		siginfo_t zombie;
		int status;

		/*
		 * A child becomes a zombie, and can be reaped, before its last
		 * switch away in do_task_dead(); reaped that early, wait4()
		 * would miss the switch it counts for every other child. Give
		 * the zombie time to make it.
		 */
		if (waitid(P_ALL, 0, &zombie, WEXITED | WNOWAIT) != 0)
			return 1;
		sleep_ms(30);
		if (wait4(zombie.si_pid, &status, 0, &ru) != zombie.si_pid)
			return 1;
		report_as(NULL, status);
		printf("rusage %ld %ld %ld %ld %ld %ld %ld %ld %ld\n",
		       ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
		       ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec, ru.ru_maxrss, ru.ru_minflt,
		       ru.ru_majflt, ru.ru_nvcsw, ru.ru_nivcsw, ru.ru_inblock, ru.ru_oublock);
	}
	return 0;
}

/* A holder that waits once it has touched its memory; returns its pid. */
static pid_t start_holder(char *path, char *mib, char *cgroup)
{
	int ready[2];
	char fd[16], c;
	pid_t pid;

	if (pipe(ready) != 0)
		return -1;
	snprintf(fd, sizeof(fd), "%d", ready[1]);
	{
		char *argv[] = { path, "child", "oom-hold", mib, cgroup, fd, NULL };

		pid = spawn(path, argv);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		fprintf(stderr, "oom-cgroup: the holder died before it was ready\n");
	close(ready[0]);
	return pid;
}

static void reap_as(const char *role, pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) == pid)
		report_as(role, status);
}

int run_oom_cgroup(int argc, char **argv)
{
	pid_t killed, holder, bystander, trigger;

	if (argc < 9)
		return 2;
	/* A plain SIGKILL of the holder's program, outside the cgroup: not an OOM kill. */
	killed = start_holder(argv[2], "0", "-");
	kill(killed, SIGKILL);
	reap_as("killed", killed);

	holder = start_holder(argv[2], argv[6], argv[5]);
	bystander = start_holder(argv[4], argv[7], argv[5]);
	{
		char *touch_argv[] = { argv[3], "child", "oom-touch", argv[8], argv[5], NULL };

		trigger = spawn(argv[3], touch_argv);
	}
	reap_as("trigger", trigger);
	/* Whoever the OOM killer spared is ended here, so that the outcome says so. */
	kill(holder, SIGTERM);
	kill(bystander, SIGTERM);
	reap_as("holder", holder);
	reap_as("bystander", bystander);
	return 0;
}
