/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * OOM kills, attributed to the victim. mark_oom_victim() sets the victim's
 * signal->oom_mm, so the exit handler knows a victim by itself; the
 * mark_victim tracepoint adds what ran out (a memory cgroup's limit or the
 * whole system), which the kernel does not record anywhere the exit could
 * read it.
 */
#ifndef EXECMOND_BPF_OOM_BPF_H
#define EXECMOND_BPF_OOM_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "core_fixes.bpf.h"
#include "execmond.h"
#include "lost.bpf.h"

/* Since 6.8 mark_victim passes the task; before, only its pid. Set by the loader. */
const volatile __u8 mark_victim_passes_task = 0;

/* Memory cgroups nested deeper than this are not looked at for a limit. */
#define EXECMOND_MAX_MEMCG_DEPTH 8
/*
 * A charge fails when usage + the charge would pass max; a charge is at most
 * a 2 MiB huge page (512 pages of 4 KiB), so a cgroup that closely below its
 * limit is taken as the one that ran out.
 */
#define EXECMOND_MEMCG_SLACK_PAGES 512

/* Victim (tgid, or pid before 6.8) -> enum execmond_oom, from mark_victim until its exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} oom_victims SEC(".maps");

/*
 * The lengths of the kernel's arrays the reads below index, from the running
 * kernel's BTF (they grow with its enums: MEMCG_NR_MEMORY_EVENTS,
 * CGROUP_SUBSYS_COUNT), so an index is checked against the array it reads.
 */
static __always_inline int oom_memory_event_slots(struct mem_cgroup *memcg)
{
	return bpf_core_field_size(memcg->memory_events) / sizeof(memcg->memory_events[0]);
}

static __always_inline int oom_cgroup_subsys_slots(struct css_set *cset)
{
	return bpf_core_field_size(cset->subsys) / sizeof(cset->subsys[0]);
}

/*
 * Whether a memory cgroup has an OOM in progress: the kernel counts MEMCG_OOM
 * when a charge fails and asks the OOM killer, and MEMCG_OOM_KILL just before
 * it sends SIGKILL and marks the victim. Usage alone misses the kernel's own
 * race: a victim chosen while the previous one's memory is being freed, with
 * usage already well below the limit.
 */
static __always_inline int oom_memcg_in_oom(struct mem_cgroup *memcg)
{
	int oom, kill;
	long ooms, kills;

	if (!bpf_core_field_exists(memcg->memory_events) ||
	    !bpf_core_enum_value_exists(enum memcg_memory_event, MEMCG_OOM) ||
	    !bpf_core_enum_value_exists(enum memcg_memory_event, MEMCG_OOM_KILL))
		return 0;
	oom = bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM);
	kill = bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM_KILL);
	if (oom < 0 || oom >= oom_memory_event_slots(memcg) || kill < 0 ||
	    kill >= oom_memory_event_slots(memcg))
		return 0;
	ooms = BPF_CORE_READ(memcg, memory_events[oom].counter);
	kills = BPF_CORE_READ(memcg, memory_events[kill].counter);
	/*
	 * At mark_victim this cgroup's OOM has counted its MEMCG_OOM and its
	 * kill: the OOMs keep up with the kills (one that was not counted yet
	 * once made this check miss). A global kill puts the kills ahead.
	 */
	return ooms > 0 && ooms >= kills;
}

/* Whether the task's memory cgroup, or one above it, is at its limit or in an OOM. */
static __always_inline int oom_memcg_at_limit(struct task_struct *task)
{
	struct css_set *cset = BPF_CORE_READ(task, cgroups);
	struct cgroup_subsys_state *css;
	int id;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0; /* a kernel without the memory controller */
	id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (id < 0 || id >= oom_cgroup_subsys_slots(cset))
		return 0;
	css = BPF_CORE_READ(cset, subsys[id]);
	for (int depth = 0; depth < EXECMOND_MAX_MEMCG_DEPTH && css; depth++) {
		struct mem_cgroup *memcg =
			(void *)css - bpf_core_field_offset(struct mem_cgroup, css);
		long usage = BPF_CORE_READ(memcg, memory.usage.counter);
		unsigned long max = BPF_CORE_READ(memcg, memory.max);
		struct cgroup_subsys_state *parent = BPF_CORE_READ(css, parent);

		/* The root has no limit (and no parent). */
		if (parent && usage >= 0 && (unsigned long)usage + EXECMOND_MEMCG_SLACK_PAGES >= max)
			return 1;
		if (parent && oom_memcg_in_oom(memcg))
			return 1;
		css = parent;
	}
	return 0;
}

SEC("raw_tp/mark_victim")
int raw_tp_oom_victim(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *victim = 0;
	__u8 scope;
	__u32 key;

	if (mark_victim_passes_task) {
		victim = (struct task_struct *)ctx->args[0];
		key = BPF_CORE_READ(victim, tgid);
	} else {
		key = (__u32)ctx->args[0];
	}
	/* Before 6.8, the task whose allocation failed: in the victim's cgroup when one is at its limit. */
	if (!victim)
		victim = (struct task_struct *)bpf_get_current_task();
	scope = oom_memcg_at_limit(victim) ? EXECMOND_OOM_CGROUP : EXECMOND_OOM_GLOBAL;
	/* An LRU map makes room by itself; what still fails leaves the exit to oom_mm alone. */
	if (bpf_map_update_elem(&oom_victims, &key, &scope, BPF_ANY))
		lost_count(EXECMOND_LOST_OOM_SCOPE);
	return 0;
}

static __always_inline int oom_task_locked(struct task_struct *task)
{
	if (!bpf_core_field_exists(task->alloc_lock.rlock.raw_lock.val))
		return 0; /* PREEMPT_RT: a sleeping lock; the race below stays */
	return BPF_CORE_READ(task, alloc_lock.rlock.raw_lock.val.counter) != 0;
}

/*
 * SIGKILL exits that waited for the OOM killer's mark, by how the wait ended
 * (enum execmond_oom_wait_outcome): what the wait costs and how often its
 * deadline is what ends it, read by the daemon.
 */
__u64 oom_mark_waits[EXECMOND_OOM_WAIT_OUTCOMES] = {};

/* What one look needs; the tasks are only probe-read. */
struct oom_mark_wait {
	struct task_struct *task;
	struct task_struct *leader;
	__u64 deadline_ns;
	__u32 tgid;
	__u32 outcome; /* enum execmond_oom_wait_outcome, once a look ends the wait */
};

/* bpf_loop()'s callback: 1 ends the wait. */
static long oom_look_for_mark(__u32 index, void *ctx)
{
	struct oom_mark_wait *w = ctx;

	if (!oom_task_locked(w->task) && !oom_task_locked(w->leader)) {
		w->outcome = EXECMOND_OOM_WAIT_UNLOCKED;
		return 1;
	}
	if (bpf_map_lookup_elem(&oom_victims, &w->tgid)) {
		w->outcome = EXECMOND_OOM_WAIT_MARKED;
		return 1;
	}
	if (bpf_ktime_get_ns() > w->deadline_ns) {
		w->outcome = EXECMOND_OOM_WAIT_DEADLINE;
		return 1;
	}
	return 0;
}

/*
 * The OOM killer sends SIGKILL and then marks the victim (signal->oom_mm,
 * then mark_victim), holding task_lock(victim) from before the one to after
 * the other. Until 6.16 the exit tracepoint came after exit_mm(), which takes
 * that lock, so every victim was marked before its exit was seen. Since 6.16
 * the tracepoint comes first, and a victim woken by the SIGKILL can get here
 * before it is marked, or between oom_mm and mark_victim. So a SIGKILL exit
 * whose lock is held waits here until mark_victim has recorded it or the
 * lock is free: exit_mm() would wait on the same lock a moment later. A lock
 * held for any other reason ends the wait when it is released. The killer
 * locks the process's first thread that still has its mm, which is the
 * leader unless the leader has exited; both are looked at.
 */
static __always_inline void oom_await_mark(struct task_struct *task, struct task_struct *leader,
					   __u32 status)
{
	/* A loop that runs out of looks has waited as long as a deadline allows. */
	struct oom_mark_wait w = { .task = task, .leader = leader, .tgid = leader->tgid,
				   .outcome = EXECMOND_OOM_WAIT_DEADLINE };
	long looks;

	/* bpf_loop() is there on every kernel this branch is verified on (6.16+). */
	if (!core_reports_group_dead() || (status & 0x7f) != EXECMOND_SIGKILL)
		return;
	/*
	 * At most EXECMOND_OOM_MARK_WAIT_NS (20 ms): the OOM killer marks its
	 * victim 5-30 us after its SIGKILL as measured here, but a virtual CPU
	 * can be held up for milliseconds in between (2.5 ms was seen on a
	 * shared host); a spinlock is never held that long on purpose. What a
	 * wait costs: docs/benchmarks.md, "The OOM mark wait".
	 */
	w.deadline_ns = bpf_ktime_get_ns() + EXECMOND_OOM_MARK_WAIT_NS;
	/* Each look takes some 30 ns: the deadline ends the loop long before its bound. */
	looks = bpf_loop(1 << 23, oom_look_for_mark, &w, 0);
	/* One look is every SIGKILL exit's cost; more is a wait. */
	if (looks > 1 && w.outcome < EXECMOND_OOM_WAIT_OUTCOMES)
		__sync_fetch_and_add(&oom_mark_waits[w.outcome], 1);
}

/* Whether the exiting process was an OOM victim (enum execmond_oom), consuming its entry. */
static __always_inline __u8 oom_verdict(struct task_struct *task, struct signal_struct *sig)
{
	__u32 tgid = task->tgid, pid = task->pid;
	__u8 *scope, verdict;

	/* Every kernel execmond supports has oom_mm; without it, the map alone tells. */
	if (bpf_core_field_exists(sig->oom_mm) && !sig->oom_mm)
		return EXECMOND_OOM_NONE;
	scope = bpf_map_lookup_elem(&oom_victims, &tgid);
	if (!scope && pid != tgid)
		scope = bpf_map_lookup_elem(&oom_victims, &pid);
	if (!scope) {
		if (bpf_core_field_exists(sig->oom_mm))
			return EXECMOND_OOM_UNKNOWN;
		return EXECMOND_OOM_NONE;
	}
	verdict = *scope;
	bpf_map_delete_elem(&oom_victims, &tgid);
	if (pid != tgid)
		bpf_map_delete_elem(&oom_victims, &pid);
	return verdict;
}

#endif /* EXECMOND_BPF_OOM_BPF_H */
