// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * For SeedingTest: makes processes exit in the middle of the task iterator's
 * work on them (seed_procs in bpf/execmond.bpf.c), where a real exit can only
 * fall by chance: after the iterator found the process alive and before it
 * recorded it.
 *
 * A CPU-clock perf event samples the seeding thread. The first sample that
 * interrupts the seed_procs program itself (its instruction pointer within
 * the program's JIT image) while it works on a child of `dying_parent` (a
 * register holds that child's task) holds the seeding thread there, with
 * interrupts off, until every child has passed its exit tracepoint or
 * `max_hold_ns` has gone by. The test releases the children as soon as
 * `held` is set, from another CPU.
 */
#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* What a perf_event program gets: the interrupted registers first (bpf_user_pt_regs_t). */
#if defined(__TARGET_ARCH_arm64)
#define SAMPLE_REGS 31
struct sample_context {
	__u64 regs[SAMPLE_REGS]; /* x0 … x30 */
	__u64 sp;
	__u64 ip; /* pc */
};
#else
#define SAMPLE_REGS 16
struct sample_context {
	__u64 regs[SAMPLE_REGS]; /* x86-64: r15 … di, then orig_ax */
	__u64 ip;
};
#endif

/* Set by the test before it arms the hold. */
__u64 seed_prog_start = 0; /* seed_procs's JIT image: [start, end) */
__u64 seed_prog_end = 0;
__u32 dying_parent = 0; /* the tgid whose children's exits are awaited */
__u32 dying_count = 0;
__u64 max_hold_ns = 0;
__u32 armed = 0;

__u32 held = 0;       /* set when the seeding thread is held */
__u32 exited = 0;     /* exits of the dying children */
__u32 exited_while_held = 0;

static long still_holding(__u32 index, void *deadline)
{
	if (*(volatile __u32 *)&exited >= dying_count)
		return 1;
	return bpf_ktime_get_ns() < *(__u64 *)deadline ? 0 : 1;
}

/* Whether `value` points at a dying child: a register of seed_procs holding its task. */
static __always_inline int is_dying_task(__u64 value)
{
	struct task_struct *task = (struct task_struct *)value;
	struct task_struct *parent = NULL;
	int pid = 0, tgid = 0, parent_tgid = 0;

	if (bpf_probe_read_kernel(&pid, sizeof(pid), &task->pid) ||
	    bpf_probe_read_kernel(&tgid, sizeof(tgid), &task->tgid) || pid != tgid ||
	    bpf_probe_read_kernel(&parent, sizeof(parent), &task->real_parent) ||
	    bpf_probe_read_kernel(&parent_tgid, sizeof(parent_tgid), &parent->tgid))
		return 0;
	return parent_tgid == dying_parent && pid != 0;
}

SEC("perf_event")
int hold_seeder(struct sample_context *ctx)
{
	__u64 ip = ctx->ip;
	__u64 deadline;
	int dying = 0;

	if (!armed || held || ip < seed_prog_start || ip >= seed_prog_end)
		return 0;
	/* Unrolled: the context is read at constant offsets only. */
#pragma unroll
	for (int i = 0; i < SAMPLE_REGS; i++)
		dying |= is_dying_task(ctx->regs[i]);
	if (!dying)
		return 0;
	*(volatile __u32 *)&held = 1;
	deadline = bpf_ktime_get_ns() + max_hold_ns;
	bpf_loop(1 << 23, still_holding, &deadline, 0);
	exited_while_held = *(volatile __u32 *)&exited;
	return 0;
}

SEC("tp_btf/sched_process_exit")
int count_dying(__u64 *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx[0];

	if (task->pid == task->tgid && task->real_parent->tgid == dying_parent)
		__sync_fetch_and_add(&exited, 1);
	return 0;
}
