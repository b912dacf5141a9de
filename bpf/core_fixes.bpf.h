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

static __always_inline unsigned int core_task_state(struct task_struct *task)
{
	if (bpf_core_field_exists(task->__state))
		return task->__state;
	return ((struct task_struct___pre_5_14 *)task)->state;
}

struct timespec64 {
	__s64 tv_sec;
	long tv_nsec;
} EXECMOND_PAI;

/* The inode's change time was `__i_ctime` from 6.6, `i_ctime` before. */
struct inode___pre_6_11 {
	struct timespec64 __i_ctime;
} EXECMOND_PAI;

struct inode___pre_6_6 {
	struct timespec64 i_ctime;
} EXECMOND_PAI;

/* Since 6.13 the top bit of i_ctime_nsec says whether someone has read the time. */
#define EXECMOND_CTIME_NSEC_MASK 0x3fffffffU

/* The inode's last status change (ctime), nanoseconds folded into one word. */
static __always_inline __u64 core_inode_ctime(struct inode *inode)
{
	__s64 sec;
	__u32 nsec;

	if (bpf_core_field_exists(inode->i_ctime_sec)) {
		sec = inode->i_ctime_sec;
		nsec = inode->i_ctime_nsec;
	} else if (bpf_core_field_exists(((struct inode___pre_6_11 *)inode)->__i_ctime)) {
		sec = ((struct inode___pre_6_11 *)inode)->__i_ctime.tv_sec;
		nsec = ((struct inode___pre_6_11 *)inode)->__i_ctime.tv_nsec;
	} else {
		sec = ((struct inode___pre_6_6 *)inode)->i_ctime.tv_sec;
		nsec = ((struct inode___pre_6_6 *)inode)->i_ctime.tv_nsec;
	}
	return (__u64)sec * 1000000000ULL + (nsec & EXECMOND_CTIME_NSEC_MASK);
}

/*
 * 6.16 added group_dead to sched_process_exit, in the change that moved the
 * tracepoint before exit_mm(); this tells whether it is there.
 */
static __always_inline int core_reports_group_dead(void)
{
	return bpf_core_field_exists(struct trace_event_raw_sched_process_exit, group_dead);
}

#endif /* EXECMOND_BPF_CORE_FIXES_BPF_H */
