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
	unsigned int status;  /* exits: the wait status waitpid() sees; else 0 */
	unsigned char kind;   /* enum execmond_kind */
	unsigned char bucket; /* exits: lifetime bucket index; else 0 */
	unsigned short pad;
	/* Who: turned into label values by the daemon. */
	unsigned long long cgroup_id; /* cgroup v2 id (the directory's inode number) */
	unsigned long long exe_ino;   /* executable file, with exe_dev; 0 when unknown */
	unsigned int exe_dev;
	unsigned int uid;
};

/* An executable file; key of the exe_paths map. */
struct execmond_exe_key {
	unsigned long long ino;
	unsigned int dev;
	unsigned int pad;
};

#define EXECMOND_PATH_LEN 256

/* The executable's absolute path as the kernel resolved it (/proc/PID/exe). */
struct execmond_exe_path {
	char path[EXECMOND_PATH_LEN];
};

/* Filter rule flags, values of the filter_* maps. */
enum execmond_filter_flags {
	EXECMOND_FILTER_INCLUDE = 1,
	EXECMOND_FILTER_EXCLUDE = 2,
};

/* Which filter maps hold rules; the `filter_active` global. */
enum execmond_filter_active {
	EXECMOND_FILTER_COMM = 1,
	EXECMOND_FILTER_UID = 2,
	EXECMOND_FILTER_EXE = 4,
	EXECMOND_FILTER_CGROUP = 8,
	/* every include rule is in the maps: the kernel may drop what none matches */
	EXECMOND_FILTER_INCLUDE_IN_KERNEL = 16,
};

/* How deep the cgroup-prefix filter looks for a matching ancestor. */
#define EXECMOND_MAX_CGROUP_DEPTH 16

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
	unsigned long long cgroup_id;
	unsigned long long exe_ino;
	unsigned int exe_dev;
	unsigned int uid;
};

#endif /* EXECMOND_BPF_EXECMOND_H */
