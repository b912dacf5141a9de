/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a process spends after its exit was counted, added when it is reaped.
 *
 * The exit handler reads the cost while the last thread is still in
 * do_exit(): since 6.16 before exit_mm(), so without the time spent tearing
 * down the address space (milliseconds for a large one); on every kernel
 * without the rest of the exit, and without threads past the walk's bound
 * (exit_cost.bpf.h). The parent's wait4() reads them all, from the zombie.
 *
 * So the exit is counted at once, with what was read then but its CPU time,
 * and its key and those figures wait in reap_costs under the group leader.
 * When the leader's
 * task_struct is freed (sched_process_free, an RCU grace period after
 * release_task(): up to 10 s with lazy RCU, which batches such callbacks), __exit_signal() has folded every thread into the signal
 * struct, the leader's final times too: the signal struct alone holds what
 * wait4() reported, for any number of threads. What grew since the exit is
 * counted under the same key in the generation of that moment, and the CPU
 * time whole, split as wait4() split it.
 *
 * A zombie nobody reaps keeps its entry until it is reaped (by its parent,
 * or by init once the parent is gone): its exit, faults, switches and I/O
 * are counted at the exit, its CPU time when wait4() could first report it.
 * An exit that cannot wait (the map is full) is counted whole at the exit,
 * as read then; one whose key finds no room at the reap loses what came
 * after it, its CPU time too; both are counted in `lost`.
 *
 * Under heavy load a leader was seen freed (its task_struct reused) with
 * no sched_process_free reaching any attached program, ours or bpftrace's:
 * its entry would wait for good and its CPU time never be counted. So the
 * daemon takes an entry whose process is gone long after its exit
 * (src/kernel/reap_sweep.h): it adds the CPU time read at the exit and
 * counts the rest as lost. Whoever deletes an entry adds it, which keeps
 * the two from both adding one.
 */
#ifndef EXECMOND_BPF_REAP_COST_BPF_H
#define EXECMOND_BPF_REAP_COST_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "counts_table.bpf.h"
#include "execmond.h"
#include "exit_cost.bpf.h"
#include "lost.bpf.h"

/* An exit counted, waiting for its process to be reaped (struct execmond_reap_cost). */
struct reap_cost {
	struct execmond_count_key key;
	struct exit_usage counted; /* what the exit added */
	__u32 tgid;
	__u32 pad;
	__u64 start_boottime_ns;
	__u64 exited_boottime_ns;
	__u64 exit_user_ns, exit_system_ns; /* the CPU time as split at the exit */
};

_Static_assert(sizeof(struct exit_usage) == EXECMOND_EXIT_USAGE_WORDS * 8,
	       "struct execmond_reap_cost spells out struct exit_usage");
_Static_assert(sizeof(struct reap_cost) == sizeof(struct execmond_reap_cost),
	       "the daemon reads reap_costs as struct execmond_reap_cost");

/*
 * Keyed by the group leader's task_struct address: unique while it lives,
 * and the entry goes when it is freed. A hash map, preallocated (tracing
 * programs need that before 5.x kernels with bpf_mem_alloc), sized by the
 * loader like procs_seeded: zombies are processes too.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768); /* resized by the loader */
	__type(key, __u64);
	__type(value, struct reap_cost);
} reap_costs SEC(".maps");

/*
 * Called before an exit is counted with `usage`. The CPU time is left to the
 * reap: split into user and system at the exit, it would keep the
 * proportion of the tick samples seen then, and the ticks that land in the
 * rest of the exit move wait4()'s split (by milliseconds for a process of
 * many threads). So it is split once, on the final figures. Where the exit
 * cannot wait, it is counted with the CPU time read now. What the daemon
 * needs, should the free never be seen, is kept beside it.
 *
 * `r` holds the exit's key and usage, as the exit handler filled them (so
 * that nothing is copied): the rest is filled here, and what the count adds
 * is left in r->counted, its CPU time zero unless the map is full.
 */
static __always_inline void reap_cost_wait(struct task_struct *leader, struct reap_cost *r,
					   __u64 now)
{
	__u64 at = (__u64)leader;
	__u64 runtime = r->counted.runtime;

	r->tgid = leader->tgid;
	r->pad = 0;
	r->start_boottime_ns = leader->start_boottime;
	r->exited_boottime_ns = now;
	r->exit_user_ns = r->counted.cpu_user_ns;
	r->exit_system_ns = r->counted.cpu_system_ns;
	r->counted.runtime = 0;
	r->counted.cpu_user_ns = 0;
	r->counted.cpu_system_ns = 0;
	if (bpf_map_update_elem(&reap_costs, &at, r, BPF_ANY) != 0) {
		lost_count(EXECMOND_LOST_REAP_COSTS_FULL);
		/* Counted whole at the exit, as read then. */
		r->counted.runtime = runtime;
		r->counted.cpu_user_ns = r->exit_user_ns;
		r->counted.cpu_system_ns = r->exit_system_ns;
	}
}

static __always_inline __u64 reap_grown(__u64 now, __u64 then)
{
	return now > then ? now - then : 0;
}

/*
 * What `final` adds to `counted`. Where CPU time was counted at the exit
 * (none, unless the map was full then), the split never goes back, as the
 * kernel's cputime_adjust() keeps it: system time grows by what its share
 * grew, at most by what the runtime grew, and user time by the rest.
 */
static __always_inline void reap_usage_since(struct exit_usage *late, const struct exit_usage *final,
					const struct exit_usage *counted)
{
	__u64 runtime = reap_grown(final->runtime, counted->runtime);
	__u64 system = reap_grown(final->cpu_system_ns, counted->cpu_system_ns);

	if (system > runtime)
		system = runtime;
	late->cpu_system_ns = system;
	late->cpu_user_ns = runtime - system;
	late->read_bytes = reap_grown(final->read_bytes, counted->read_bytes);
	late->write_bytes = reap_grown(final->write_bytes, counted->write_bytes);
	late->min_flt = reap_grown(final->min_flt, counted->min_flt);
	late->maj_flt = reap_grown(final->maj_flt, counted->maj_flt);
	late->nvcsw = reap_grown(final->nvcsw, counted->nvcsw);
	late->nivcsw = reap_grown(final->nivcsw, counted->nivcsw);
}

static __always_inline int reap_has_prev_cputime(void)
{
	return bpf_core_field_exists(struct signal_struct, prev_cputime);
}

/*
 * Splits the final runtime as cputime_adjust() does for wait4(): the
 * group's prev_cputime holds the split last reported (by the reap's own
 * wait4(), when there was one, or by a reader of /proc/PID/stat before),
 * and a new split never goes back from it.
 */
static __always_inline void reap_split_cpu(struct exit_usage *u, __u64 prev_utime,
							__u64 prev_stime)
{
	__u64 system;

	if (!(resources & EXECMOND_RESOURCE_CPU))
		return;
	if (prev_utime + prev_stime >= u->runtime) {
		u->cpu_user_ns = prev_utime;
		u->cpu_system_ns = prev_stime;
		u->runtime = prev_utime + prev_stime;
		return;
	}
	system = execmond_scaled_stime(u->utime, u->stime, u->runtime);
	if (system < prev_stime)
		system = prev_stime;
	if (u->runtime - system < prev_utime)
		system = u->runtime - prev_utime;
	u->cpu_system_ns = system;
	u->cpu_user_ns = u->runtime - system;
}

/*
 * Called for every task freed; `task` is a BTF pointer when `typed`, else a
 * raw one that only probe reads may follow (both arrive as constants).
 */
static __always_inline int reap_cost_add(struct task_struct *task, int typed)
{
	struct exit_usage final = {}, late = {};
	struct count_event ev = { .usage = &late, .late_cost = 1 };
	struct execmond_count_key key;
	__u64 prev_utime = 0, prev_stime = 0;
	struct signal_struct *sig;
	struct reap_cost *r;
	__u64 at = (__u64)task;

	/* Threads other than the leader have nothing waiting: skip the lookup. */
	if ((typed ? task->group_leader : BPF_CORE_READ(task, group_leader)) != task)
		return 0;
	r = bpf_map_lookup_elem(&reap_costs, &at);
	if (!r)
		return 0;
	/* Every thread, the leader too, is in the signal struct now. */
	sig = typed ? task->signal : BPF_CORE_READ(task, signal);
	if (typed)
		usage_add_signal(&final, sig);
	else
		usage_add_signal_probed(&final, sig);
	if ((resources & EXECMOND_RESOURCE_CPU) && reap_has_prev_cputime()) {
		prev_utime = typed ? sig->prev_cputime.utime : BPF_CORE_READ(sig, prev_cputime.utime);
		prev_stime = typed ? sig->prev_cputime.stime : BPF_CORE_READ(sig, prev_cputime.stime);
	}
	reap_split_cpu(&final, prev_utime, prev_stime);
	reap_usage_since(&late, &final, &r->counted);
	key = r->key;
	/*
	 * Whoever deletes the entry adds it: this handler, or the daemon, which
	 * takes an entry whose free it has not seen long after the reap.
	 */
	if (bpf_map_delete_elem(&reap_costs, &at) != 0)
		return 0;
	counts_add(&key, &ev, EXECMOND_LOST_REAP_COST_COUNTS_FULL);
	return 0;
}

#endif /* EXECMOND_BPF_REAP_COST_BPF_H */
