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

/* workload cost <n> <child-path> <threads> <user-ms> <system-ms> <MiB> <io-KiB> <dir>
 * [leader-first] */
int run_cost(int argc, char **argv);
/*
 * workload oom-cgroup <holder> <trigger> <bystander> <cgroup-dir> <hold-MiB> <bystander-MiB>
 * <trigger-MiB> In a memory cgroup, a holder and a smaller bystander touch their memory and wait;
 * the trigger then touches more than is left, so that the OOM killer chooses the holder. The
 * bystander is there for the kernel's race: while the holder's memory is still being freed it is
 * skipped, and the next largest task (the bystander, not the trigger) is killed in its place.
 */
int run_oom_cgroup(int argc, char **argv);
/* The exec'd side of all: workload child cost … | child oom-hold … | child oom-touch … */
int run_cost_child(int argc, char **argv);

#endif
