/* What the workload's modes share (workload.c, workload_cost.c). */
#ifndef EXECMOND_TEST_WORKLOAD_H
#define EXECMOND_TEST_WORKLOAD_H

#include <sys/resource.h>
#include <sys/types.h>

/* "exited <code>", "signaled <SIGNAME>" or "dumped <SIGNAME>", after `prefix` when not NULL. */
void report_as(const char *prefix, int status);
void sleep_ms(long ms);
/* fork() + execv(path, argv); the child _exit(127)s when exec fails. */
pid_t spawn(const char *path, char *const argv[]);

/* workload cost <n> <child-path> <threads> <user-ms> <system-ms> <MiB> <io-KiB> <dir> [leader-first] */
int run_cost(int argc, char **argv);
/* workload oom-pair <holder-path> <trigger-path> <cgroup-dir> <hold-MiB> <trigger-MiB> */
int run_oom_pair(int argc, char **argv);
/* The exec'd side of both: workload child cost … | child oom-hold … | child oom-touch … */
int run_cost_child(int argc, char **argv);

#endif
