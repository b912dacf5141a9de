// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * For OomTest: makes a victim of the OOM killer likely to reach its exit
 * tracepoint before the killer marks it (a race since 6.16, see
 * oom_await_mark() in bpf/oom.bpf.h), and counts the victims that did.
 *
 * The killer sends SIGKILL while it holds the victim's sighand lock, with
 * interrupts off; the woken victim spins on that lock in get_signal(). This
 * holds the killer there, at signal_generate, for `delay_ns`: the test sets
 * more than a scheduler tick, so a timer interrupt is pending when the killer
 * lets go and takes its CPU before it can mark the victim, while the victim
 * runs on to do_exit().
 *
 * With `mark_hold_ns` set, it also holds the killer in mark_victim, after
 * oom_mm is set and before execmond's program records the victim, still
 * under the victim's task lock: a victim that exits meanwhile waits for a
 * mark that comes only after execmond's deadline.
 */
#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The kernel's own signals (the OOM killer's among them) carry this siginfo. */
#define SEND_SIG_PRIV ((struct kernel_siginfo *)1)

struct kernel_siginfo;

const volatile __u64 delay_ns = 100000; /* set by the test */
const volatile __u64 mark_hold_ns = 0;  /* set by the test; 0: no hold */
/*
 * Only the test's own processes are held (the host may run other OOM kills
 * meanwhile): those that have this process as a parent or grandparent.
 */
const volatile __u32 test_tgid = 0;

enum { KILLED = 1, MARKED = 2, MARKING = 3 };

/* Processes sent the kernel's SIGKILL while attached, until they exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} killed SEC(".maps");

__u64 delayed = 0;            /* kernel SIGKILLs held back */
__u64 exited_before_mark = 0; /* of those, exits seen before their mark_victim */
__u64 exited_while_marking = 0; /* exits seen while mark_victim was held */

static __always_inline int started_by_the_test(struct task_struct *task)
{
	struct task_struct *parent = task->real_parent;

	return parent->tgid == test_tgid || parent->real_parent->tgid == test_tgid;
}

static long still_waiting(__u32 index, void *deadline)
{
	return bpf_ktime_get_ns() < *(__u64 *)deadline ? 0 : 1;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(hold_the_killer, int sig, struct kernel_siginfo *info, struct task_struct *task)
{
	__u32 tgid = task->tgid;
	__u8 state = KILLED;
	__u64 deadline;

	if (sig != EXECMOND_SIGKILL || info != SEND_SIG_PRIV || !started_by_the_test(task))
		return 0;
	bpf_map_update_elem(&killed, &tgid, &state, BPF_ANY);
	__sync_fetch_and_add(&delayed, 1);
	deadline = bpf_ktime_get_ns() + delay_ns;
	bpf_loop(1 << 20, still_waiting, &deadline, 0);
	return 0;
}

/* The victim as 6.8 and later pass it; the test loads this only from 6.16. */
SEC("tp_btf/mark_victim")
int BPF_PROG(note_the_mark, struct task_struct *task)
{
	__u32 tgid = task->tgid;
	__u8 *state = bpf_map_lookup_elem(&killed, &tgid);
	__u64 deadline;

	if (!state)
		return 0;
	if (mark_hold_ns) {
		*state = MARKING;
		deadline = bpf_ktime_get_ns() + mark_hold_ns;
		bpf_loop(1 << 23, still_waiting, &deadline, 0);
		/* The victim's exit may have taken its entry meanwhile. */
		state = bpf_map_lookup_elem(&killed, &tgid);
		if (!state)
			return 0;
	}
	*state = MARKED;
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(see_the_victim, struct task_struct *task)
{
	__u32 tgid = task->tgid;
	__u8 *state;

	if (task->pid != tgid)
		return 0;
	state = bpf_map_lookup_elem(&killed, &tgid);
	if (!state)
		return 0;
	if (*state == KILLED)
		__sync_fetch_and_add(&exited_before_mark, 1);
	if (*state == MARKING)
		__sync_fetch_and_add(&exited_while_marking, 1);
	bpf_map_delete_elem(&killed, &tgid);
	return 0;
}
