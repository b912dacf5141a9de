// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * For the benchmark: how long each exit handler of another BPF tracer runs,
 * exit by exit, which the kernel's BPF statistics give only as a total.
 *
 * A tracepoint runs its probes in the order they were attached, one after
 * the other on one CPU with preemption off. `exit_started` is attached before
 * the tracer and `exit_ended` after it, so the time between them is the
 * tracer's handler (plus one probe call, measured alone without the tracer).
 * Only the exits of tasks in the cgroup `cgroup_id` are timed.
 */
#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 cgroup_id = 0; /* set by the benchmark */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} started_at SEC(".maps");

__u64 timed = 0;      /* exits timed */
__u64 total_ns = 0;   /* their handler time, summed */
__u64 longest_ns = 0; /* the longest one */
__u64 found_locked = 0; /* exits whose task lock was held as they began */

static __always_inline int in_timed_cgroup(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp->kn->id == cgroup_id;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_started, struct task_struct *task)
{
	__u32 zero = 0;
	__u64 *at = bpf_map_lookup_elem(&started_at, &zero);

	if (!at || !in_timed_cgroup(task))
		return 0;
	if (task->alloc_lock.rlock.raw_lock.val.counter)
		__sync_fetch_and_add(&found_locked, 1);
	*at = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_ended, struct task_struct *task)
{
	__u64 now = bpf_ktime_get_ns(), took, seen;
	__u32 zero = 0;
	__u64 *at = bpf_map_lookup_elem(&started_at, &zero);

	if (!at || !*at || !in_timed_cgroup(task))
		return 0;
	took = now - *at;
	*at = 0;
	__sync_fetch_and_add(&timed, 1);
	__sync_fetch_and_add(&total_ns, took);
	seen = longest_ns;
	/* A few tries: each failed one means another CPU raised it meanwhile. */
	for (int i = 0; i < 16 && took > seen; i++) {
		__u64 was = __sync_val_compare_and_swap(&longest_ns, seen, took);

		if (was == seen)
			break;
		seen = was;
	}
	return 0;
}
