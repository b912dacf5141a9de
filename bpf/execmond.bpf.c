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

/* Which counts map handlers write to; flipped by the daemon on every drain. */
volatile __u32 generation = 0;

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

/*
 * Adds a procs entry. A failure is counted once per process: by its fork or
 * by seeding, not again when the untracked process execs (count_failure 0).
 */
static __always_inline void track_process(struct task_struct *leader, __u32 flags, __u64 map_flags,
					  int count_failure)
{
	struct execmond_proc_key key;
	struct execmond_proc_value val = { .flags = flags };
	long err;

	proc_key_of(leader, &key);
	BPF_CORE_READ_STR_INTO(&val.comm, leader, comm);
	val.ppid = BPF_CORE_READ(leader, real_parent, tgid);
	err = bpf_map_update_elem(&procs, &key, &val, map_flags);
	if (err && err != -EEXIST && count_failure)
		count_lost(EXECMOND_LOST_PROCS_FULL);
}

/* Kernel threads run no program: they are not what execmond counts. */
static __always_inline int is_kernel_thread(struct task_struct *task)
{
	return BPF_CORE_READ(task, flags) & EXECMOND_PF_KTHREAD;
}

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child)
{
	struct execmond_count_key key = { .kind = EXECMOND_KIND_FORK };

	/* A new thread shares its parent's tgid: not a process. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid) || is_kernel_thread(child))
		return 0;
	BPF_CORE_READ_STR_INTO(&key.comm, parent, group_leader, comm);
	count(&key, 0, EXECMOND_LOST_FORK_COUNTS_FULL);
	track_process(child, 0, BPF_ANY, 1);
	return 0;
}

static __always_inline int on_exec(struct task_struct *task)
{
	struct execmond_count_key key = { .kind = EXECMOND_KIND_EXEC };
	struct execmond_proc_key pkey;
	struct execmond_proc_value *val;

	/* After exec the task leads its group, also when a non-leader thread exec'd. */
	BPF_CORE_READ_STR_INTO(&key.comm, task, comm);
	count(&key, 0, EXECMOND_LOST_EXEC_COUNTS_FULL);

	proc_key_of(task, &pkey);
	val = bpf_map_lookup_elem(&procs, &pkey);
	if (val)
		__builtin_memcpy(val->comm, key.comm, sizeof(val->comm));
	else
		track_process(task, 0, BPF_ANY, 0);
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
	struct execmond_proc_key pkey;
	__u64 lifetime;

	if (group_dead == 0 || is_kernel_thread(task))
		return 0;
	proc_key_of(leader, &pkey);
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

	if (!task || BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid) || is_kernel_thread(task))
		return 0;
	/* A group whose last thread is exiting is left to the exit handler. */
	if (BPF_CORE_READ(task, signal, live.counter) == 0)
		return 0;
	track_process(task, EXECMOND_PROC_SEEDED, BPF_NOEXIST, 1);
	return 0;
}
