/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the fork, exec and exit handlers and the seeding iterator read of a
 * task: plain loads through BTF pointers where the program has them.
 */
#ifndef EXECMOND_BPF_TASK_READS_BPF_H
#define EXECMOND_BPF_TASK_READS_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "core_fixes.bpf.h"
#include "execmond.h"

/* Boot-based, so it matches bpf_ktime_get_boot_ns() across suspend. */
static __always_inline __u64 start_boottime(struct task_struct *task)
{
	return task->start_boottime;
}

/* Kernel threads run no program: they are not what execmond counts. */
static __always_inline int is_kernel_thread(struct task_struct *task)
{
	return task->flags & EXECMOND_PF_KTHREAD;
}

/* The labels' ids of a running task: cgroup and uid (exe is the caller's). */
static __always_inline void who_is(struct task_struct *task, struct execmond_count_key *key)
{
	/* What bpf_get_current_cgroup_id() and bpf_get_current_uid_gid() return, without a call. */
	key->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	key->uid = task->cred->uid.val;
}

/* ---- the three events ---- */

/*
 * What the fork handler reads of the new task. tp_btf passes it as a BTF
 * pointer, read with plain loads; raw_tp as a raw one, which only probe
 * reads may follow. `typed` arrives as a constant, so each program keeps
 * only its own branch.
 */
struct new_task {
	__u32 pid;
	__u32 tgid;
	__u32 flags;
	__u64 start_boottime;
};

static __always_inline void read_new_task(struct task_struct *child, int typed,
					  struct new_task *out)
{
	if (typed) {
		out->pid = child->pid;
		out->tgid = child->tgid;
		out->flags = child->flags;
		out->start_boottime = child->start_boottime;
		return;
	}
	out->pid = BPF_CORE_READ(child, pid);
	out->tgid = BPF_CORE_READ(child, tgid);
	out->flags = BPF_CORE_READ(child, flags);
	out->start_boottime = BPF_CORE_READ(child, start_boottime);
}

/*
 * The cgroup the new process starts in, read from the child: with
 * clone3(CLONE_INTO_CGROUP) it is not its parent's. copy_process() has put
 * the child there (cgroup_post_fork()) before the fork tracepoint. Most
 * children share their parent's css_set: then the parent's id, already read,
 * is the answer.
 */
static __always_inline __u64 new_process_cgroup(struct task_struct *parent,
						struct task_struct *child, int typed,
						__u64 parent_cgroup)
{
	struct css_set *cset = typed ? child->cgroups : BPF_CORE_READ(child, cgroups);

	if (cset == parent->cgroups)
		return parent_cgroup;
	if (typed)
		return cset->dfl_cgrp->kn->id;
	return BPF_CORE_READ(cset, dfl_cgrp, kn, id);
}

#endif /* EXECMOND_BPF_TASK_READS_BPF_H */
