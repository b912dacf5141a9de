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

#include "execmond.h"

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
 * Whether a memory cgroup has an OOM in progress: the kernel counts MEMCG_OOM
 * when a charge fails and asks the OOM killer, and MEMCG_OOM_KILL just before
 * it sends SIGKILL and marks the victim. Usage alone misses the kernel's own
 * race: a victim chosen while the previous one's memory is being freed, with
 * usage already well below the limit.
 */
static __always_inline int memory_cgroup_in_oom(struct mem_cgroup *memcg)
{
	int oom, kill;
	long ooms, kills;

	if (!bpf_core_field_exists(memcg->memory_events) ||
	    !bpf_core_enum_value_exists(enum memcg_memory_event, MEMCG_OOM) ||
	    !bpf_core_enum_value_exists(enum memcg_memory_event, MEMCG_OOM_KILL))
		return 0;
	oom = bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM);
	kill = bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM_KILL);
	if (oom < 0 || oom >= 9 || kill < 0 || kill >= 9)
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
static __always_inline int memory_cgroup_at_limit(struct task_struct *task)
{
	struct cgroup_subsys_state *css;
	int id;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0; /* a kernel without the memory controller */
	id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (id < 0 || id >= 12)
		return 0;
	css = BPF_CORE_READ(task, cgroups, subsys[id]);
	for (int depth = 0; depth < EXECMOND_MAX_MEMCG_DEPTH && css; depth++) {
		struct mem_cgroup *memcg =
			(void *)css - bpf_core_field_offset(struct mem_cgroup, css);
		long usage = BPF_CORE_READ(memcg, memory.usage.counter);
		unsigned long max = BPF_CORE_READ(memcg, memory.max);
		struct cgroup_subsys_state *parent = BPF_CORE_READ(css, parent);

		/* The root has no limit (and no parent). */
		if (parent && usage >= 0 && (unsigned long)usage + EXECMOND_MEMCG_SLACK_PAGES >= max)
			return 1;
		if (parent && memory_cgroup_in_oom(memcg))
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
	scope = memory_cgroup_at_limit(victim) ? EXECMOND_OOM_CGROUP : EXECMOND_OOM_GLOBAL;
	bpf_map_update_elem(&oom_victims, &key, &scope, BPF_ANY);
	return 0;
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
