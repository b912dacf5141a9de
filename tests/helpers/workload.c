/*
 * The workload the privileged tests trace. Every process it starts reports
 * what its parent's waitpid() saw, one line per child on stdout:
 *   exited <code> | signaled <SIGNAME> | dumped <SIGNAME>
 * so a test compares execmond's counts with the kernel's own answer.
 *
 *   workload mix <n> <child-path>        n children exec child-path with a planned
 *                                        mix of exit codes 0..255, SIGTERM, SIGKILL
 *                                        and core-dumping SIGSEGV/SIGABRT
 *   workload sleepers <n> <ms> <child-path>  n children exec and sleep <ms>, exit 0
 *   workload fork-only <n>               n children exit(i % 256) without exec
 *   workload leader-exits-first <child-path>  child: leader pthread_exit()s, last thread exit(7)
 *   workload many-threads <k> <child-path>    child: k threads, then exit(5) with all running
 *   workload thread-exec <child-path>    child: a non-leader thread execs child-path "exit 9"
 *   workload hold <child-path> <n>       n children exec, each prints "held" once it
 *                                        runs (the test's signal that its exec is
 *                                        done), and wait until stdin closes
 *   workload comms <n> <prefix>          n children rename themselves <prefix><i>, exit 0
 *   workload clone-into <cgroup-dir> <n> n children made by clone3(CLONE_INTO_CGROUP) in
 *                                        <cgroup-dir> (systemd's way of starting services)
 *                                        wait until stdin closes and exit 0 without exec
 *   workload oom-child <MiB>             allocate and touch memory 1 MiB at a time, up
 *                                        to <MiB>; meant to run in a memory cgroup with a
 *                                        lower limit and be OOM-killed (SIGKILL); exits 3
 *                                        with a message if it reaches <MiB> alive
 *   workload cost …, workload oom-cgroup …  what processes cost, and OOM kills, against
 *                                        wait4()'s rusage (see workload_cost.c)
 *   workload repeat <n> <path> [args…]   n children, one after the other, exec path with
 *                                        args (argv[0] = path): real interpreters, scripts
 *   workload child <action> [args]       what an exec'd child does (see run_child)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

void report_as(const char *prefix, int status)
{
	const char *space = prefix ? " " : "";

	if (!prefix)
		prefix = "";
	if (WIFEXITED(status))
		printf("%s%sexited %d\n", prefix, space, WEXITSTATUS(status));
	else if (WCOREDUMP(status))
		printf("%s%sdumped SIG%s\n", prefix, space, sigabbrev_np(WTERMSIG(status)));
	else
		printf("%s%ssignaled SIG%s\n", prefix, space, sigabbrev_np(WTERMSIG(status)));
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

pid_t spawn(const char *path, char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	return pid;
}

static void wait_all(int n)
{
	for (int i = 0; i < n; i++) {
		int status;

		if (wait(&status) < 0)
			break;
		report_as(NULL, status);
	}
}

/* ---- what an exec'd child does ---- */

static void *leader_first_worker(void *arg)
{
	(void)arg;
	sleep_ms(100); /* let the leader exit first */
	exit(7);
}

static void *blocked_worker(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static char *g_exec_path;

static void *exec_worker(void *arg)
{
	char *argv[] = { g_exec_path, "child", "exit", "9", NULL };

	(void)arg;
	execv(g_exec_path, argv);
	_exit(126);
}

static int run_child(int argc, char **argv)
{
	const char *action = argv[2];

	if (strcmp(action, "exit") == 0)
		return atoi(argv[3]);
	if (strcmp(action, "signal") == 0) {
		kill(getpid(), atoi(argv[3]));
		sleep_ms(10000);
		return 100;
	}
	if (strcmp(action, "crash") == 0) {
		struct rlimit none = { 0, 0 };

		setrlimit(RLIMIT_CORE, &none);
		signal(atoi(argv[3]), SIG_DFL);
		kill(getpid(), atoi(argv[3]));
		return 103;
	}
	if (strcmp(action, "dump") == 0) {
		struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

		setrlimit(RLIMIT_CORE, &unlimited);
		if (argc > 4 && chdir(argv[4]) != 0)
			return 101;
		signal(atoi(argv[3]), SIG_DFL);
		kill(getpid(), atoi(argv[3]));
		return 102;
	}
	if (strcmp(action, "sleep") == 0) {
		sleep_ms(atol(argv[3]));
		return 0;
	}
	if (strcmp(action, "hold") == 0) {
		static const char held[] = "held\n";
		char c;

		/* One write(2) of a few bytes: the siblings' lines never interleave. */
		if (write(1, held, sizeof(held) - 1) != (ssize_t)(sizeof(held) - 1))
			return 121;
		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	if (strcmp(action, "leader-exits-first") == 0) {
		pthread_t t;

		pthread_create(&t, NULL, leader_first_worker, NULL);
		pthread_exit(NULL);
	}
	if (strcmp(action, "many-threads") == 0) {
		int k = atoi(argv[3]);
		pthread_t t;

		for (int i = 0; i < k; i++)
			pthread_create(&t, NULL, blocked_worker, NULL);
		sleep_ms(50);
		exit(5); /* exit_group(): every thread dies at once */
	}
	if (strcmp(action, "thread-exec") == 0) {
		pthread_t t;

		g_exec_path = argv[3];
		pthread_create(&t, NULL, exec_worker, NULL);
		for (;;)
			pause();
	}
	return 120;
}

/* ---- parents ---- */

static int run_mix(int n, char *path, const char *core_dir)
{
	/* Exit codes 0..255 first, then signals and core dumps, then exit 0. */
	for (int i = 0; i < n; i++) {
		char arg[16];
		char *argv[6] = { path, "child", "exit", arg, NULL, NULL };
		int rest = i - 256;

		snprintf(arg, sizeof(arg), "%d", i % 256);
		if (i >= 256) {
			static const int signals[] = { SIGTERM, SIGKILL, SIGTERM, SIGKILL, SIGSEGV,
						       SIGABRT, 0, 0 };
			int sig = signals[rest % 8];

			if (sig == SIGSEGV || sig == SIGABRT) {
				argv[2] = "dump";
				argv[4] = (char *)core_dir;
			} else if (sig != 0) {
				argv[2] = "signal";
			}
			snprintf(arg, sizeof(arg), "%d", sig);
			if (sig == 0)
				snprintf(arg, sizeof(arg), "0");
		}
		if (spawn(path, argv) < 0)
			return 1;
	}
	wait_all(n);
	return 0;
}

/*
 * Rounds of five children, each waited for before the next starts: killed by
 * SIGSEGV and by SIGABRT (no core), dumping core on SIGSEGV into core_dir,
 * exiting 0 and exiting 1. Prints "pid <pid> maxrss <KiB> <outcome>" for
 * each, its peak RSS as wait4() reports it.
 */
static int run_notable(int rounds, char *path, char *core_dir)
{
	char *argvs[5][6] = {
		{ path, "child", "crash", "11", NULL, NULL },
		{ path, "child", "crash", "6", NULL, NULL },
		{ path, "child", "dump", "11", core_dir, NULL },
		{ path, "child", "exit", "0", NULL, NULL },
		{ path, "child", "exit", "1", NULL, NULL },
	};

	for (int i = 0; i < rounds; i++) {
		for (int k = 0; k < 5; k++) {
			struct rusage ru;
			char prefix[64];
			int status;
			pid_t pid = spawn(path, argvs[k]);

			if (pid < 0 || wait4(pid, &status, 0, &ru) != pid)
				return 1;
			snprintf(prefix, sizeof(prefix), "pid %d maxrss %ld", (int)pid, ru.ru_maxrss);
			report_as(prefix, status);
		}
	}
	return 0;
}

/* Children created straight into another cgroup, as systemd 254 and later start services. */
static int run_clone_into(const char *cgroup, int n)
{
	int fd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
	};

	if (fd < 0) {
		perror(cgroup);
		return 1;
	}
	args.cgroup = (__u64)fd;
	for (int i = 0; i < n; i++) {
		long pid = syscall(SYS_clone3, &args, sizeof(args));

		if (pid < 0) {
			perror("clone3");
			return 1;
		}
		if (pid == 0) {
			char c;

			while (read(0, &c, 1) > 0)
				;
			_exit(0);
		}
	}
	wait_all(n);
	return 0;
}

static char *volatile g_oom_sink; /* keeps the allocations from being optimised away */

static int run_oom_child(long mib)
{
	for (long i = 0; i < mib; i++) {
		char *p = malloc(1 << 20);

		if (p == NULL) {
			fprintf(stderr, "oom-child: malloc failed after %ld MiB\n", i);
			return 4;
		}
		/* Touch every page so that it is resident and charged. */
		for (size_t off = 0; off < (1 << 20); off += 4096)
			p[off] = (char)off;
		g_oom_sink = p;
	}
	fprintf(stderr, "oom-child: not killed after %ld MiB\n", mib);
	return 3;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "child") == 0 && argc >= 3 &&
	    (strcmp(argv[2], "cost") == 0 || strncmp(argv[2], "oom-", 4) == 0))
		return run_cost_child(argc, argv);
	if (strcmp(argv[1], "child") == 0 && argc >= 3)
		return run_child(argc, argv);
	if (strcmp(argv[1], "cost") == 0 && argc >= 10)
		return run_cost(argc, argv);
	if (strcmp(argv[1], "oom-cgroup") == 0)
		return run_oom_cgroup(argc, argv);
	if (strcmp(argv[1], "oom-child") == 0 && argc >= 3)
		return run_oom_child(atol(argv[2]));
	if (strcmp(argv[1], "mix") == 0 && argc >= 4)
		return run_mix(atoi(argv[2]), argv[3], argc > 4 ? argv[4] : "/tmp");
	if (strcmp(argv[1], "sleepers") == 0 && argc >= 5) {
		int n = atoi(argv[2]);
		char *child_argv[] = { argv[4], "child", "sleep", argv[3], NULL };

		for (int i = 0; i < n; i++)
			spawn(argv[4], child_argv);
		wait_all(n);
		return 0;
	}
	if (strcmp(argv[1], "fork-only") == 0 && argc >= 3) {
		int n = atoi(argv[2]);

		for (int i = 0; i < n; i++)
			if (fork() == 0)
				_exit(i % 256);
		wait_all(n);
		return 0;
	}
	if (strcmp(argv[1], "comms") == 0 && argc >= 4) {
		int n = atoi(argv[2]);

		for (int i = 0; i < n; i++) {
			if (fork() == 0) {
				char name[16];

				snprintf(name, sizeof(name), "%s%d", argv[3], i);
				prctl(PR_SET_NAME, name);
				_exit(0);
			}
		}
		for (int i = 0; i < n; i++)
			wait(NULL);
		return 0;
	}
	if (strcmp(argv[1], "notable") == 0 && argc >= 5)
		return run_notable(atoi(argv[2]), argv[3], argv[4]);
	if (strcmp(argv[1], "clone-into") == 0 && argc >= 4)
		return run_clone_into(argv[2], atoi(argv[3]));
	if (strcmp(argv[1], "repeat") == 0 && argc >= 4) {
		int n = atoi(argv[2]);

		for (int i = 0; i < n; i++) {
			if (spawn(argv[3], &argv[3]) < 0)
				return 1;
			wait_all(1);
		}
		return 0;
	}
	if (strcmp(argv[1], "hold") == 0 && argc >= 4) {
		int n = atoi(argv[3]);
		char *child_argv[] = { argv[2], "child", "hold", NULL };

		for (int i = 0; i < n; i++)
			spawn(argv[2], child_argv);
		wait_all(n);
		return 0;
	}
	if (argc >= 3) {
		/* Single-child scenarios: leader-exits-first, many-threads, thread-exec. */
		char *path = argv[argc - 1];
		char *child_argv[] = { path, "child", argv[1], argc > 3 ? argv[2] : path, NULL };

		if (spawn(path, child_argv) < 0)
			return 1;
		wait_all(1);
		return 0;
	}
	return 2;
}
