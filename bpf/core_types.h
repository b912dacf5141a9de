/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The few kernel types the tracer reads, declared with preserve_access_index
 * so that clang emits CO-RE relocations and libbpf fixes every offset up
 * against the running kernel's BTF at load time. This replaces a generated
 * vmlinux.h: the build never looks at the build host's kernel, and there is
 * nothing to regenerate. Only the fields named here are read; their order
 * and the structs' sizes do not matter. To add a field, check its name and
 * type with:
 *   bpftool btf dump file /sys/kernel/btf/vmlinux format raw | grep -A300 "STRUCT 'task_struct'"
 */
#ifndef EXECMOND_BPF_CORE_TYPES_H
#define EXECMOND_BPF_CORE_TYPES_H

#include <linux/types.h>

#define EXECMOND_PAI __attribute__((preserve_access_index))

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	long counter;
} atomic_long_t;

struct list_head {
	struct list_head *next;
} EXECMOND_PAI;

/* seqlock_t since 5.10: its sequence is at stats_lock.seqcount.seqcount.sequence. */
struct seqcount {
	unsigned int sequence;
} EXECMOND_PAI;

struct seqcount_spinlock {
	struct seqcount seqcount;
} EXECMOND_PAI;

typedef struct {
	struct seqcount_spinlock seqcount;
} EXECMOND_PAI seqlock_t;

/* CONFIG_TASK_IO_ACCOUNTING: the storage bytes /proc/PID/io shows. */
struct task_io_accounting {
	__u64 read_bytes;
	__u64 write_bytes;
} EXECMOND_PAI;

struct mm_struct;

/* The user and system time getrusage() last reported for the group (cputime_adjust()). */
struct prev_cputime {
	__u64 utime;
	__u64 stime;
} EXECMOND_PAI;

/*
 * What getrusage() reads besides the live threads: the sums of threads
 * already released (__exit_signal() adds them under stats_lock).
 */
struct signal_struct {
	atomic_t live;		/* threads not yet past do_exit()'s accounting */
	int nr_threads;		/* threads on thread_head: not yet released */
	struct list_head thread_head;
	unsigned int flags;	/* SIGNAL_GROUP_EXIT once the group is exiting */
	int group_exit_code;	/* status for the whole group, incl. 0x80 core flag */
	seqlock_t stats_lock;
	__u64 utime;		/* tick-sampled, ns */
	__u64 stime;
	__u64 sum_sched_runtime; /* precise, ns */
	unsigned long nvcsw;
	unsigned long nivcsw;
	unsigned long min_flt;
	unsigned long maj_flt;
	unsigned long maxrss;	/* pages; set for the group by the last thread's do_exit() */
	struct task_io_accounting ioac;
	struct mm_struct *oom_mm; /* set by mark_oom_victim(): the OOM killer chose this process */
	struct prev_cputime prev_cputime; /* absent with CONFIG_VIRT_CPU_ACCOUNTING_NATIVE */
} EXECMOND_PAI;

struct qstr {
	union {
		struct {
			__u32 hash;
			__u32 len;
		};
		__u64 hash_len;
	};
	const unsigned char *name;
} EXECMOND_PAI;

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
} EXECMOND_PAI;

struct vfsmount {
	struct dentry *mnt_root;
} EXECMOND_PAI;

/* The kernel-internal mount that embeds a vfsmount; reached with container_of. */
struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
} EXECMOND_PAI;

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
} EXECMOND_PAI;

struct super_block {
	__u32 s_dev;
} EXECMOND_PAI;

struct inode {
	unsigned long i_ino;
	__u32 i_generation;
	__s64 i_ctime_sec; /* 6.11 and later; see core_inode_ctime() */
	__u32 i_ctime_nsec;
	struct super_block *i_sb;
} EXECMOND_PAI;

struct file {
	struct path f_path;
	struct inode *f_inode;
} EXECMOND_PAI;

struct mm_struct {
	struct file *exe_file;
	unsigned long arg_start; /* the arguments exec copied to the new stack, each NUL-ended */
	unsigned long arg_end;
} EXECMOND_PAI;

typedef struct {
	__u32 val;
} kuid_t;

struct cred {
	kuid_t uid;
} EXECMOND_PAI;

struct kernfs_node {
	__u64 id; /* the cgroup id: a cgroup v2 directory's inode number */
} EXECMOND_PAI;

struct cgroup {
	struct kernfs_node *kn;
} EXECMOND_PAI;

enum cgroup_subsys_id {
	memory_cgrp_id = 4, /* the value is relocated: bpf_core_enum_value() */
};

struct cgroup_subsys_state {
	struct cgroup_subsys_state *parent;
} EXECMOND_PAI;

struct page_counter {
	atomic_long_t usage; /* pages */
	unsigned long max;
} EXECMOND_PAI;

/* Indexes of mem_cgroup.memory_events; the values are relocated (bpf_core_enum_value()). */
enum memcg_memory_event {
	MEMCG_OOM = 3,      /* a charge failed and the OOM killer was asked */
	MEMCG_OOM_KILL = 4, /* a task of this cgroup was killed */
};

/* The memory controller's state of a cgroup (v1 or v2); css is its first member. */
struct mem_cgroup {
	struct cgroup_subsys_state css;
	struct page_counter memory;
	atomic_long_t memory_events[9];
} EXECMOND_PAI;

struct css_set {
	struct cgroup *dfl_cgrp; /* the task's cgroup in the v2 (default) hierarchy */
	struct cgroup_subsys_state *subsys[12];
} EXECMOND_PAI;

struct sched_entity {
	__u64 sum_exec_runtime; /* precise, ns; brought up to date at each tick and switch */
} EXECMOND_PAI;

/*
 * A task's alloc_lock (task_lock()): a queued spinlock on the architectures
 * execmond builds for; `val` is 0 when the lock is free. PREEMPT_RT kernels
 * make it a sleeping lock without these fields.
 */
struct qspinlock {
	atomic_t val;
} EXECMOND_PAI;

struct raw_spinlock {
	struct qspinlock raw_lock;
} EXECMOND_PAI;

struct spinlock {
	struct raw_spinlock rlock;
} EXECMOND_PAI;

struct task_struct {
	unsigned int __state; /* since 5.14; before that `long state` */
	struct mm_struct *mm;
	const struct cred *cred; /* what bpf_get_current_uid_gid() reads */
	struct css_set *cgroups;
	unsigned int flags;
	int exit_code;
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	__u64 start_boottime;
	char comm[16];
	struct signal_struct *signal;
	struct list_head thread_node; /* on signal->thread_head */
	struct sched_entity se;
	__u64 utime; /* tick-sampled, ns */
	__u64 stime;
	unsigned long nvcsw;
	unsigned long nivcsw;
	unsigned long min_flt;
	unsigned long maj_flt;
	struct task_io_accounting ioac;
	struct spinlock alloc_lock;
} EXECMOND_PAI;

/* Payload of the classic sched_process_exit tracepoint; group_dead since 6.16. */
struct trace_event_raw_sched_process_exit {
	char comm[16];
	int pid;
	int prio;
	_Bool group_dead;
} EXECMOND_PAI;

struct bpf_iter_meta;
struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} EXECMOND_PAI;

#define EXECMOND_SIGNAL_GROUP_EXIT 0x00000004
#define EXECMOND_SIGKILL 9
#define EXECMOND_PF_KTHREAD 0x00200000
/* A task copy_process() made that wake_up_new_task() has not started yet. */
#define EXECMOND_TASK_NEW 0x00000800

#endif /* EXECMOND_BPF_CORE_TYPES_H */
