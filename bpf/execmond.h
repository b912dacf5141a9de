/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Types shared by the kernel side (execmond.bpf.c) and the daemon (src/). */
#ifndef EXECMOND_BPF_EXECMOND_H
#define EXECMOND_BPF_EXECMOND_H

#define EXECMOND_COMM_LEN 16
/* Upper bounds of the lifetime histogram, nanoseconds; unused slots hold ~0. */
#define EXECMOND_MAX_BUCKETS 32

/* What a counts-map entry counts. */
enum execmond_kind {
	EXECMOND_KIND_EXEC = 1, /* comm = the new program's comm */
	EXECMOND_KIND_FORK = 2, /* comm = the parent's comm */
	EXECMOND_KIND_EXIT = 3, /* comm = the process's comm at exit */
};

/* Why the kernel side could not record something: index of the lost array. */
enum execmond_lost_reason {
	EXECMOND_LOST_EXEC_COUNTS_FULL = 0,
	EXECMOND_LOST_FORK_COUNTS_FULL = 1,
	EXECMOND_LOST_EXIT_COUNTS_FULL = 2,
	EXECMOND_LOST_PROCS_FULL = 3,
	EXECMOND_LOST_REASONS = 4,
};

/*
 * Key of the per-CPU counts maps. The kernel aggregates events with the same
 * key; the daemon swaps the two maps on every drain and reads the idle one.
 */
struct execmond_count_key {
	char comm[EXECMOND_COMM_LEN];
	unsigned int status; /* exits: the wait status waitpid() sees; else 0 */
	unsigned char kind;  /* enum execmond_kind */
	unsigned char bucket; /* exits: lifetime bucket index; else 0 */
	unsigned short pad;
};

struct execmond_count_value {
	unsigned long long count;
	unsigned long long lifetime_ns_sum; /* exits only */
};

/* Key of the procs map: a process, made unique against PID reuse. */
struct execmond_proc_key {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long start_boottime_ns;
};

enum execmond_proc_flags {
	EXECMOND_PROC_SEEDED = 1, /* found running at start-up by the task iterator */
};

struct execmond_proc_value {
	char comm[EXECMOND_COMM_LEN];
	unsigned int ppid;
	unsigned int flags; /* enum execmond_proc_flags */
};

#endif /* EXECMOND_BPF_EXECMOND_H */
