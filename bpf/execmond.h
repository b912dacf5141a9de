/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Types shared by the kernel side (execmond.bpf.c) and the daemon (src/). */
#ifndef EXECMOND_BPF_EXECMOND_H
#define EXECMOND_BPF_EXECMOND_H

#define EXECMOND_COMM_LEN 16
/* Upper bounds of the lifetime histogram, nanoseconds; unused slots hold ~0. */
#define EXECMOND_MAX_BUCKETS 32

/* Upper bounds of the peak RSS histogram, bytes; unused slots hold ~0. */
#define EXECMOND_MAX_RSS_BUCKETS 15

/* What the exit handler accounts: the `resources` knob, one bit each. */
enum execmond_resource {
	EXECMOND_RESOURCE_CPU = 1,
	EXECMOND_RESOURCE_MEMORY = 2,
	EXECMOND_RESOURCE_IO = 4,
	EXECMOND_RESOURCE_FAULTS = 8,
	EXECMOND_RESOURCE_SWITCHES = 16,
};

/* Whether the OOM killer chose the process, and what ran out: an exit key's `oom`. */
enum execmond_oom {
	EXECMOND_OOM_NONE = 0,
	EXECMOND_OOM_CGROUP = 1,  /* a memory cgroup was at its limit */
	EXECMOND_OOM_GLOBAL = 2,  /* the system was out of memory */
	EXECMOND_OOM_UNKNOWN = 3, /* a victim; the mark_victim tracepoint did not tell why */
};

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
	/* mark_victim could not store an OOM victim's scope: its kill counts as scope unknown */
	EXECMOND_LOST_OOM_SCOPE = 4,
	/* what a process spent after its exit was counted, not added at its reap: */
	EXECMOND_LOST_REAP_COSTS_FULL = 5,       /* no room to keep it until then */
	EXECMOND_LOST_REAP_COST_COUNTS_FULL = 6, /* no counts key for it then */
	/*
	 * The process was reaped, but its free was not seen in time (counted by
	 * the daemon, which adds the CPU time read at the exit instead).
	 */
	EXECMOND_LOST_REAP_NOT_SEEN = 7,
	EXECMOND_LOST_REASONS = 8,
};

/*
 * How a SIGKILL exit's wait for the OOM killer's mark ended (bpf/oom.bpf.h),
 * counted only where the first look did not end it: index of oom_mark_waits.
 */
enum execmond_oom_wait_outcome {
	EXECMOND_OOM_WAIT_MARKED = 0,   /* mark_victim recorded the process */
	EXECMOND_OOM_WAIT_UNLOCKED = 1, /* the task lock was released: no kill was in progress */
	EXECMOND_OOM_WAIT_DEADLINE = 2, /* neither in time: the exit counts as the kernel had it then */
	EXECMOND_OOM_WAIT_OUTCOMES = 3,
};

/* How long a SIGKILL exit waits at most for its mark (bpf/oom.bpf.h). */
#define EXECMOND_OOM_MARK_WAIT_NS (20ULL * 1000 * 1000)

/*
 * What the kernel counts events by: events with equal keys are added up in
 * the kernel, and the daemon reads each key's total once per drain.
 */
struct execmond_count_key {
	char comm[EXECMOND_COMM_LEN];
	unsigned int status;  /* exits: the wait status waitpid() sees; else 0 */
	unsigned char kind;   /* enum execmond_kind */
	unsigned char bucket; /* exits: lifetime bucket index; else 0 */
	unsigned char oom;    /* exits: enum execmond_oom; else 0 */
	unsigned char pad;
	/* Who: turned into label values by the daemon. */
	unsigned long long cgroup_id; /* cgroup v2 id (the directory's inode number) */
	unsigned long long exe_ino;   /* executable file, with exe_dev; 0 when unknown */
	unsigned int exe_dev;
	unsigned int uid;
	unsigned int exe_generation; /* tells the files apart that reuse one inode number */
	unsigned int pad2;
	/*
	 * What ran (bpf/cmdline.bpf.h): 0 and "" unless the loader turns them on,
	 * so that the default configuration keeps its keys.
	 */
	unsigned long long cmdline_id;  /* the command line read at exec (its hash, never 0); 0: none */
	char parent[EXECMOND_COMM_LEN]; /* comm of the process that forked this one */
};

/*
 * An executable file; key of the exe_paths map. A freed inode number is
 * reused by the next file its filesystem creates (ext4 at once), so the
 * inode's generation, which filesystems change on reuse for exactly that
 * reason (NFS file handles), tells the old file from the new one. The
 * filter_exe map leaves it 0: a rule names whatever file its path holds.
 */
struct execmond_exe_key {
	unsigned long long ino;
	unsigned int dev;
	unsigned int generation;
};

#define EXECMOND_PATH_LEN 256

/* The executable's absolute path as the kernel resolved it (/proc/PID/exe). */
struct execmond_exe_path {
	/*
	 * The file's ctime when the path was resolved: a rename changes it, and
	 * so does the creation of a file that reuses the inode number on a file
	 * system without generations. The next exec then resolves the path anew.
	 * First, so that the check reads the cache line the key is on.
	 */
	unsigned long long ctime_ns;
	char path[EXECMOND_PATH_LEN];
};

/*
 * Entries of each filter_* map: the distinct command names (or uids,
 * executables, cgroup prefixes) that include and exclude name together.
 * The config check refuses more.
 */
#define EXECMOND_FILTER_MAX_RULES 1024

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

/*
 * The counts table: open addressing over slots that hold the keys, shared by
 * all CPUs, and per-CPU values beside it. A handler finds its key's slot (a
 * cache line it reads, and writes only when the key first appears), then adds
 * to its own CPU's value (a line no other CPU writes). Two generations of
 * everything, flipped by the daemon on every drain.
 */
/* The words of a counts key before its origin (cmdline_id, parent). */
#define EXECMOND_COUNT_KEY_WHO_WORDS 7

struct execmond_count_slot {
	/* 0: empty; else (key hash << 32) | state, state being the value index + 1
	 * or one of the EXECMOND_SLOT_* markers (table_layout.h). */
	unsigned long long tag;
	/*
	 * The key up to its origin: with the tag, 64 bytes, one cache line. The
	 * origin, 0 unless a knob keeps it, is in counts_origins, which
	 * only then is read (counts_table.bpf.h).
	 */
	unsigned long long who[EXECMOND_COUNT_KEY_WHO_WORDS];
};

struct execmond_count_value {
	unsigned long long count;
	unsigned long long lifetime_ns_sum; /* exits only */
};

/*
 * What the exits of one key cost, summed: one per value index (not per CPU:
 * handlers add with atomics), in the counts_costs map. Only the fields of
 * the resources being accounted are written.
 */
/*
 * The default resources (cpu, memory) first and side by side: every exit of
 * a key adds to them, from whichever CPU it runs on, so they should share as
 * few cache lines as they can.
 */
struct execmond_count_cost {
	unsigned long long cpu_user_ns; /* as wait4() splits the precise runtime */
	unsigned long long cpu_system_ns;
	unsigned long long peak_rss_bytes_sum;
	/* exits per peak RSS bucket; the one past the configured bounds is +Inf */
	unsigned int peak_rss_buckets[EXECMOND_MAX_RSS_BUCKETS + 1];
	unsigned long long io_read_bytes;
	unsigned long long io_write_bytes;
	unsigned long long minor_faults;
	unsigned long long major_faults;
	unsigned long long voluntary_switches;
	unsigned long long involuntary_switches;
};

/*
 * The procs table: one slot (a cache line) per live process, found from its
 * tgid by linear probing. Slots are claimed with compare-and-swap at fork and
 * turned into tombstones at exit. The daemon reads only the slots of blocks a
 * handler marked in procs_dirty, and skips a slot whose sequence is odd
 * (being written) or changes while it copies it.
 */
struct execmond_proc {
	unsigned long long state; /* (sequence << 32) | tgid, or EXECMOND_PROC_* (table_layout.h) */
	unsigned long long start_boottime_ns;
	char comm[EXECMOND_COMM_LEN];
	unsigned long long cgroup_id;
	unsigned long long exe_ino;
	unsigned int exe_dev;
	unsigned int uid;
	unsigned int exe_generation;
	unsigned int pad;
};

/* Key of procs_seeded: a process, made unique against PID reuse. */
struct execmond_proc_key {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long start_boottime_ns;
};

/* Value of procs_seeded: who the process is, as in struct execmond_proc. */
struct execmond_proc_value {
	char comm[EXECMOND_COMM_LEN];
	unsigned long long cgroup_id;
	unsigned long long exe_ino;
	unsigned int exe_dev;
	unsigned int uid;
	unsigned int exe_generation;
	unsigned int pad;
	unsigned long long cmdline_id;  /* as struct execmond_proc_origin's */
	char parent[EXECMOND_COMM_LEN];
};

/*
 * Where a process came from: the command line its program was started with
 * and the comm of the process that forked it, as its keys carry them. The
 * procs_origin array holds one per procs slot, at the slot's index, written
 * inside the slot's sequence like the slot itself. Not in struct
 * execmond_proc: that is one cache line, full, and every fork, exec and exit
 * touches it; this line is touched only while the cmdline or parent knob is on.
 */
struct execmond_proc_origin {
	unsigned long long cmdline_id;
	char parent[EXECMOND_COMM_LEN];
};

/*
 * The context of the fill_seeded_cmdline program (BPF_PROG_RUN): the
 * command line id the daemon worked out from /proc for a process seeded at
 * start-up, stored only while the entry still has none.
 */
struct execmond_cmdline_fill {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long start_boottime_ns;
	unsigned long long cmdline_id;
};

/* What fill_seeded_cmdline returns. */
enum execmond_cmdline_fill_result {
	EXECMOND_CMDLINE_FILL_GONE = 0,   /* no such entry: the process ended */
	EXECMOND_CMDLINE_FILLED = 1,      /* stored */
	EXECMOND_CMDLINE_FILL_EXECED = 2, /* the entry has one already: an exec since seeding set it */
};

/*
 * A command line read at exec, the first time its id is seen (the
 * cmdlines_known map): a record of the cmdlines ring. `args` holds `len`
 * bytes, the arguments each ended by a NUL, as /proc/PID/cmdline shows them.
 */
#define EXECMOND_CMDLINE_MAX 16384 /* the most tracer.cmdline_max_bytes may be */

enum execmond_cmdline_flags {
	EXECMOND_CMDLINE_TRUNCATED = 1, /* cut at the last argument boundary within the bound */
};

struct execmond_cmdline_record {
	unsigned long long id;
	unsigned int len;
	unsigned int flags; /* enum execmond_cmdline_flags */
	char args[EXECMOND_CMDLINE_MAX];
};

/* What reading command lines ran into: index of the cmdline_events array. */
enum execmond_cmdline_event {
	EXECMOND_CMDLINE_EVENT_TRUNCATED = 0, /* longer than the bound: cut */
	EXECMOND_CMDLINE_EVENT_READ_FAILED = 1, /* not readable: the exec is counted without one */
	EXECMOND_CMDLINE_EVENT_RING_FULL = 2, /* read, but no room in the ring: sent again next time */
	EXECMOND_CMDLINE_EVENTS = 3,
};

/* A cgroup of the v2 hierarchy made or removed: a record of the cgroup_changes ring. */
enum execmond_cgroup_change_kind {
	EXECMOND_CGROUP_MKDIR = 1,
	EXECMOND_CGROUP_RMDIR = 2,
};

#define EXECMOND_CGROUP_NAME_LEN 256 /* NAME_MAX and the NUL */

struct execmond_cgroup_change {
	unsigned long long id;        /* the cgroup id, as execmond_count_key's */
	unsigned long long parent_id; /* mkdir: the parent cgroup's id; rmdir: 0 */
	unsigned int kind;            /* enum execmond_cgroup_change_kind */
	unsigned int pad;
	char name[EXECMOND_CGROUP_NAME_LEN]; /* mkdir: the directory's name; rmdir: "" */
};

/*
 * An exit waiting for its process to be freed (bpf/reap_cost.bpf.h), as the
 * reap_costs map holds it: the key it was counted under, what the exit read
 * (struct exit_usage, 12 counters), and what the daemon needs should the
 * free never be seen: who the process was, when it exited, and its CPU time
 * as split then.
 */
#define EXECMOND_EXIT_USAGE_WORDS 12

struct execmond_reap_cost {
	struct execmond_count_key key;
	unsigned long long counted[EXECMOND_EXIT_USAGE_WORDS];
	unsigned int tgid;
	unsigned int pad;
	unsigned long long start_boottime_ns;
	unsigned long long exited_boottime_ns;
	unsigned long long exit_user_ns, exit_system_ns;
};

/*
 * A notable exit (bpf/exit_record.bpf.h): why it has a record, in the order
 * of the daemon's RecordKind. Index of the exit_record_drops array.
 */
enum execmond_record_kind {
	EXECMOND_RECORD_OOM_KILLED = 0,
	EXECMOND_RECORD_CORE_DUMPED = 1,
	EXECMOND_RECORD_CRASHED = 2, /* killed by a signal of record_signals */
	EXECMOND_RECORD_FAILED = 3,  /* a non-zero status: only while record_candidates asks */
	EXECMOND_RECORD_EXITED = 4,  /* status 0: only while record_candidates asks */
	EXECMOND_RECORD_KINDS = 5,
};

/* Which ordinary exits the kernel hands over for the daemon's selectors: record_candidates. */
enum execmond_record_candidates {
	EXECMOND_CANDIDATES_NONE = 0,
	EXECMOND_CANDIDATES_FAILED = 1, /* non-zero statuses */
	EXECMOND_CANDIDATES_ALL = 2,    /* every exit */
};

/*
 * What the kernel hands over for a notable exit, a record of the
 * exit_records ring: who the process was, how and when it ended, and what it
 * spent as the exit read it (struct exit_usage, zeros for what is not
 * accounted).
 */
struct execmond_exit_record {
	unsigned long long start_boottime_ns;
	unsigned long long exit_boottime_ns;
	unsigned long long cgroup_id;
	unsigned long long exe_ino;
	unsigned long long cmdline_id; /* 0 unless command lines are captured */
	unsigned int exe_dev;
	unsigned int exe_generation;
	unsigned int tgid;
	unsigned int ppid; /* the real parent's tgid at the exit */
	unsigned int uid;
	unsigned int status; /* the wait status */
	unsigned char kind;  /* enum execmond_record_kind */
	unsigned char oom;   /* enum execmond_oom */
	unsigned char pad[6];
	char comm[EXECMOND_COMM_LEN];
	char parent_comm[EXECMOND_COMM_LEN];
	unsigned long long usage[EXECMOND_EXIT_USAGE_WORDS];
};

#endif /* EXECMOND_BPF_EXECMOND_H */
