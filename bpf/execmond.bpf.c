// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * execmond's kernel side: counts execs, forks and exits per command name and
 * keeps one procs-map entry per live process.
 *
 * Counting happens in per-CPU hash maps (no atomics, no locks on the hot
 * path). There are two of them: every drain the daemon flips `generation`,
 * waits an RCU grace period so no handler still writes the old map, then
 * reads and empties it. That makes each drain exact without deleting entries
 * under a writer, and bounds memory by the keys seen in one drain interval.
 * Whatever cannot be recorded is counted in `lost` by reason.
 *
 * Two program sets exist for each hook; the loader enables one before load:
 * tp_btf (BTF-typed, no tracefs) and, as the fallback, classic tracepoints for
 * exec and exit and raw_tp for fork (the classic fork payload lacks the
 * child's tgid, so it cannot tell a thread from a process).
 */
#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "execmond.h"
#include "lifetime_bucket.h"

#define EEXIST 17

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader between open and load. */
const volatile __u64 lifetime_bounds_ns[EXECMOND_MAX_BUCKETS] = {};
const volatile __u32 lifetime_bucket_count = 0;

/* Resolve executables to paths (the exe label or an exe filter is in use). */
const volatile __u8 record_exe = 0;

/* Which counts map handlers write to; flipped by the daemon on every drain. */
volatile __u32 generation = 0;

/* Filters, set by the daemon at start and on every reload. */
volatile __u32 filter_active = 0; /* enum execmond_filter_active */
volatile __u32 self_tgid = 0;     /* the daemon's own activity, when excluded */

struct counts_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192); /* resized by the loader */
	__type(key, struct execmond_count_key);
	__type(value, struct execmond_count_value);
};
struct counts_map counts0 SEC(".maps");
struct counts_map counts1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768); /* resized by the loader */
	__type(key, struct execmond_proc_key);
	__type(value, struct execmond_proc_value);
} procs SEC(".maps");

/* Executable paths by file; read by the daemon to label exe. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct execmond_exe_key);
	__type(value, struct execmond_exe_path);
} exe_paths SEC(".maps");

/* Room to build a path from its last component backwards. */
struct path_scratch {
	char buf[2 * EXECMOND_PATH_LEN];
	struct execmond_exe_path out;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_scratch);
} scratch SEC(".maps");

/* Filter rules: value is enum execmond_filter_flags. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[EXECMOND_COMM_LEN]);
	__type(value, __u8);
} filter_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} filter_uid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct execmond_exe_key);
	__type(value, __u8);
} filter_exe SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64); /* cgroup id of a prefix directory: matches its whole subtree */
	__type(value, __u8);
} filter_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXECMOND_LOST_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void count_lost(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&lost, &reason);

	if (n)
		*n += 1;
}

static __always_inline void count_in(void *map, const struct execmond_count_key *key,
				     __u64 lifetime_ns, __u32 lost_reason)
{
	struct execmond_count_value *v = bpf_map_lookup_elem(map, key);

	if (!v) {
		struct execmond_count_value first = { .count = 1, .lifetime_ns_sum = lifetime_ns };
		long err = bpf_map_update_elem(map, key, &first, BPF_NOEXIST);

		if (err == 0)
			return;
		/* Another CPU inserted the key first: add to it. */
		v = err == -EEXIST ? bpf_map_lookup_elem(map, key) : NULL;
		if (!v) {
			count_lost(lost_reason);
			return;
		}
	}
	/* This CPU's slot only: no other writer, the daemon reads it after a grace period. */
	v->count += 1;
	v->lifetime_ns_sum += lifetime_ns;
}

static __always_inline void count(const struct execmond_count_key *key, __u64 lifetime_ns,
				  __u32 lost_reason)
{
	if (generation & 1)
		count_in(&counts1, key, lifetime_ns, lost_reason);
	else
		count_in(&counts0, key, lifetime_ns, lost_reason);
}

static __always_inline __u64 start_boottime(struct task_struct *task)
{
	if (bpf_core_field_exists(task->start_boottime))
		return BPF_CORE_READ(task, start_boottime);
	return BPF_CORE_READ((struct task_struct___pre_5_5 *)task, real_start_time);
}

static __always_inline void proc_key_of(struct task_struct *leader, struct execmond_proc_key *key)
{
	key->tgid = BPF_CORE_READ(leader, tgid);
	key->pad = 0;
	key->start_boottime_ns = start_boottime(leader);
}

/* Kernel threads run no program: they are not what execmond counts. */
static __always_inline int is_kernel_thread(struct task_struct *task)
{
	return BPF_CORE_READ(task, flags) & EXECMOND_PF_KTHREAD;
}

/* ---- executables ---- */

static __always_inline struct file *exe_file_of(struct task_struct *task)
{
	return BPF_CORE_READ(task, mm, exe_file);
}

static __always_inline void exe_key_of(struct file *exe, struct execmond_exe_key *key)
{
	key->ino = exe ? BPF_CORE_READ(exe, f_inode, i_ino) : 0;
	key->dev = exe ? BPF_CORE_READ(exe, f_inode, i_sb, s_dev) : 0;
	key->pad = 0;
}

#define PATH_MASK (EXECMOND_PATH_LEN - 1)
#define MAX_PATH_DEPTH 32

/*
 * Stores the absolute path of `exe` in exe_paths, as d_path() would: from the
 * file's dentry up to its mount's root, then across mount points to the root
 * of the mount tree. Components are written backwards from the end of a
 * scratch buffer. A path deeper or longer than the limits keeps its last
 * components and loses the leading "/".
 */
static __always_inline void record_exe_path(struct file *exe, const struct execmond_exe_key *key)
{
	__u32 zero = 0;
	struct path_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct dentry *dentry = BPF_CORE_READ(exe, f_path.dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(exe, f_path.mnt);
	struct mount *mnt =
		(struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	__u32 pos = EXECMOND_PATH_LEN - 1;

	if (!s)
		return;
	s->buf[pos] = 0;
	for (int i = 0; i < MAX_PATH_DEPTH; i++) {
		struct dentry *parent;
		const unsigned char *name;
		__u32 len;

		if (dentry == mnt_root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt)
				break; /* the root of the mount tree */
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
			continue;
		}
		parent = BPF_CORE_READ(dentry, d_parent);
		if (parent == dentry)
			break;
		len = BPF_CORE_READ(dentry, d_name.len);
		name = BPF_CORE_READ(dentry, d_name.name);
		if (len + 1 > pos)
			break; /* too long: keep the tail */
		pos -= len;
		bpf_probe_read_kernel(&s->buf[pos & PATH_MASK], len & PATH_MASK, name);
		pos -= 1;
		s->buf[pos & PATH_MASK] = '/';
		dentry = parent;
	}
	if (pos == EXECMOND_PATH_LEN - 1) {
		pos -= 1;
		s->buf[pos & PATH_MASK] = '/';
	}
	bpf_probe_read_kernel_str(s->out.path, sizeof(s->out.path), &s->buf[pos & PATH_MASK]);
	bpf_map_update_elem(&exe_paths, key, &s->out, BPF_ANY);
}

/* Fills the key's exe fields and makes sure the daemon can name the file. */
static __always_inline void note_exe(struct file *exe, struct execmond_exe_key *key)
{
	exe_key_of(exe, key);
	if (exe && !bpf_map_lookup_elem(&exe_paths, key))
		record_exe_path(exe, key);
}

/* ---- filters ---- */

static __always_inline __u8 rule(void *map, const void *key)
{
	__u8 *flags = bpf_map_lookup_elem(map, key);

	return flags ? *flags : 0;
}

/* Whether the filters drop an event of the process `key` describes. */
static __always_inline int filtered_out(__u32 tgid, const struct execmond_count_key *key)
{
	__u32 active = filter_active;
	__u8 hits = 0;

	if (self_tgid != 0 && tgid == self_tgid)
		return 1;
	if (!active)
		return 0;
	if (active & EXECMOND_FILTER_COMM)
		hits |= rule(&filter_comm, key->comm);
	if (active & EXECMOND_FILTER_UID)
		hits |= rule(&filter_uid, &key->uid);
	if (active & EXECMOND_FILTER_EXE) {
		struct execmond_exe_key exe = { .ino = key->exe_ino, .dev = key->exe_dev };

		hits |= rule(&filter_exe, &exe);
	}
	if (active & EXECMOND_FILTER_CGROUP) {
		/* A prefix rule holds its directory's id, an ancestor of the whole subtree. */
		for (int level = 0; level < EXECMOND_MAX_CGROUP_DEPTH; level++) {
			__u64 id = bpf_get_current_ancestor_cgroup_id(level);

			if (id == 0)
				break;
			hits |= rule(&filter_cgroup, &id);
		}
	}
	if (hits & EXECMOND_FILTER_EXCLUDE)
		return 1;
	return (active & EXECMOND_FILTER_INCLUDE_IN_KERNEL) && !(hits & EXECMOND_FILTER_INCLUDE);
}

/* The labels' ids of the current task (cgroup and uid; exe is the caller's). */
static __always_inline void who_is_current(struct execmond_count_key *key)
{
	key->cgroup_id = bpf_get_current_cgroup_id();
	key->uid = (__u32)bpf_get_current_uid_gid();
}

/* ---- the procs map ---- */

/*
 * Adds a procs entry. A failure is counted once per process: by its fork or
 * by seeding, not again when the untracked process execs (count_failure 0).
 */
static __always_inline void track_process(struct task_struct *leader,
					  const struct execmond_count_key *who, __u32 flags,
					  __u64 map_flags, int count_failure)
{
	struct execmond_proc_key key;
	struct execmond_proc_value val = {
		.flags = flags,
		.cgroup_id = who->cgroup_id,
		.exe_ino = who->exe_ino,
		.exe_dev = who->exe_dev,
		.uid = who->uid,
	};
	long err;

	proc_key_of(leader, &key);
	BPF_CORE_READ_STR_INTO(&val.comm, leader, comm);
	val.ppid = BPF_CORE_READ(leader, real_parent, tgid);
	err = bpf_map_update_elem(&procs, &key, &val, map_flags);
	if (err && err != -EEXIST && count_failure)
		count_lost(EXECMOND_LOST_PROCS_FULL);
}

/* ---- the three events ---- */

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child)
{
	struct execmond_count_key key = { .kind = EXECMOND_KIND_FORK };
	struct execmond_exe_key exe = {};

	/* A new thread shares its parent's tgid: not a process. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid) || is_kernel_thread(child))
		return 0;
	/* The child starts as a copy of its parent: same cgroup, uid and executable. */
	who_is_current(&key);
	if (record_exe) {
		exe_key_of(exe_file_of(parent), &exe);
		key.exe_ino = exe.ino;
		key.exe_dev = exe.dev;
	}
	track_process(child, &key, 0, BPF_ANY, 1);
	BPF_CORE_READ_STR_INTO(&key.comm, parent, group_leader, comm);
	if (!filtered_out(BPF_CORE_READ(parent, tgid), &key))
		count(&key, 0, EXECMOND_LOST_FORK_COUNTS_FULL);
	return 0;
}

static __always_inline int on_exec(struct task_struct *task)
{
	struct execmond_count_key key = { .kind = EXECMOND_KIND_EXEC };
	struct execmond_exe_key exe = {};
	struct execmond_proc_key pkey;
	struct execmond_proc_value *val;

	/* After exec the task leads its group, also when a non-leader thread exec'd. */
	BPF_CORE_READ_STR_INTO(&key.comm, task, comm);
	who_is_current(&key);
	if (record_exe) {
		note_exe(exe_file_of(task), &exe);
		key.exe_ino = exe.ino;
		key.exe_dev = exe.dev;
	}
	if (!filtered_out(BPF_CORE_READ(task, tgid), &key))
		count(&key, 0, EXECMOND_LOST_EXEC_COUNTS_FULL);

	proc_key_of(task, &pkey);
	val = bpf_map_lookup_elem(&procs, &pkey);
	if (!val) {
		track_process(task, &key, 0, BPF_ANY, 0);
		return 0;
	}
	__builtin_memcpy(val->comm, key.comm, sizeof(val->comm));
	val->cgroup_id = key.cgroup_id;
	val->exe_ino = key.exe_ino;
	val->exe_dev = key.exe_dev;
	val->uid = key.uid;
	return 0;
}

/* The status the parent's waitpid() reports, as wait_task_zombie() computes it. */
static __always_inline __u32 wait_status(struct task_struct *leader, struct signal_struct *sig)
{
	if (BPF_CORE_READ(sig, flags) & EXECMOND_SIGNAL_GROUP_EXIT)
		return BPF_CORE_READ(sig, group_exit_code);
	return BPF_CORE_READ(leader, exit_code);
}

/*
 * Called for every exiting thread; group_dead is 1 for the last one, 0 for
 * the others, and -1 where the kernel does not say (before 6.16).
 */
static __always_inline int on_exit(struct task_struct *task, int group_dead)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	struct execmond_count_key key = { .kind = EXECMOND_KIND_EXIT };
	struct execmond_proc_value *val;
	struct execmond_proc_key pkey;
	__u64 lifetime;

	if (group_dead == 0 || is_kernel_thread(task))
		return 0;
	proc_key_of(leader, &pkey);
	/* The mm is gone by now: the executable comes from the procs entry. */
	val = bpf_map_lookup_elem(&procs, &pkey);
	if (val) {
		key.exe_ino = val->exe_ino;
		key.exe_dev = val->exe_dev;
	}
	if (group_dead < 0) {
		/*
		 * Older kernels: signal->live was decremented before the tracepoint,
		 * so it is 0 for the last thread, but a thread racing the last one
		 * may see 0 too. Deleting the procs entry elects one of them.
		 */
		if (BPF_CORE_READ(sig, live.counter) != 0)
			return 0;
		if (bpf_map_delete_elem(&procs, &pkey) != 0)
			return 0; /* raced, or untracked: counted as procs_map_full at fork */
	} else {
		bpf_map_delete_elem(&procs, &pkey);
	}

	lifetime = bpf_ktime_get_boot_ns() - pkey.start_boottime_ns;
	BPF_CORE_READ_STR_INTO(&key.comm, leader, comm);
	who_is_current(&key);
	if (filtered_out(BPF_CORE_READ(task, tgid), &key))
		return 0;
	key.status = wait_status(leader, sig);
	key.bucket = execmond_lifetime_bucket(lifetime_bounds_ns, lifetime_bucket_count, lifetime);
	count(&key, lifetime, EXECMOND_LOST_EXIT_COUNTS_FULL);
	return 0;
}

/* 6.16 added group_dead to sched_process_exit; this tells whether it is there. */
static __always_inline int kernel_reports_group_dead(void)
{
	return bpf_core_field_exists(struct trace_event_raw_sched_process_exit, group_dead);
}

/* ---- BTF-typed tracepoints (preferred) ---- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_fork, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_btf_exec, struct task_struct *p)
{
	return on_exec(p);
}

SEC("tp_btf/sched_process_exit")
int tp_btf_exit(__u64 *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx[0];

	if (kernel_reports_group_dead())
		return on_exit(p, (_Bool)ctx[1]);
	return on_exit(p, -1);
}

/* ---- fallback: classic tracepoints, and raw_tp for fork ---- */

SEC("raw_tp/sched_process_fork")
int BPF_PROG(raw_tp_fork, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child);
}

SEC("tracepoint/sched/sched_process_exec")
int tracepoint_exec(void *ctx)
{
	return on_exec(bpf_get_current_task_btf());
}

SEC("tracepoint/sched/sched_process_exit")
int tracepoint_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	struct task_struct *p = bpf_get_current_task_btf();

	if (kernel_reports_group_dead())
		return on_exit(p, ctx->group_dead);
	return on_exit(p, -1);
}

/* ---- seeding: processes already running when the daemon starts ---- */

SEC("iter/task")
int seed_procs(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct execmond_count_key who = {};
	struct execmond_exe_key exe = {};

	if (!task || BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid) || is_kernel_thread(task))
		return 0;
	/* A group whose last thread is exiting is left to the exit handler. */
	if (BPF_CORE_READ(task, signal, live.counter) == 0)
		return 0;
	/* What bpf_get_current_cgroup_id() and bpf_get_current_uid_gid() give the handlers. */
	who.cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	who.uid = BPF_CORE_READ(task, real_cred, uid.val);
	if (record_exe) {
		note_exe(exe_file_of(task), &exe);
		who.exe_ino = exe.ino;
		who.exe_dev = exe.dev;
	}
	track_process(task, &who, EXECMOND_PROC_SEEDED, BPF_NOEXIST, 1);
	return 0;
}
