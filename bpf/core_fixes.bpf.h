/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reads of kernel fields whose name or presence changed within the kernels
 * execmond supports (5.13 and later: BPF atomics came in 5.12, callbacks in
 * 5.13): each accessor beside the older variant it falls back to, chosen at
 * load time with bpf_core_field_exists.
 */
#ifndef EXECMOND_BPF_CORE_FIXES_BPF_H
#define EXECMOND_BPF_CORE_FIXES_BPF_H

#include "core_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* Kernels before 5.14 kept the task state in `long state`. */
struct task_struct___pre_5_14 {
	long state;
} EXECMOND_PAI;

static __always_inline unsigned int task_state(struct task_struct *task)
{
	if (bpf_core_field_exists(task->__state))
		return task->__state;
	return ((struct task_struct___pre_5_14 *)task)->state;
}

/*
 * 6.16 added group_dead to sched_process_exit, in the change that moved the
 * tracepoint before exit_mm(); this tells whether it is there.
 */
static __always_inline int kernel_reports_group_dead(void)
{
	return bpf_core_field_exists(struct trace_event_raw_sched_process_exit, group_dead);
}

#endif /* EXECMOND_BPF_CORE_FIXES_BPF_H */
