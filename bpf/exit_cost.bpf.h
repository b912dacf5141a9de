/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a process cost, read when its last thread exits: CPU, peak memory,
 * storage I/O, page faults and context switches, summed the way the parent's
 * wait4() sums them (getrusage(RUSAGE_BOTH) of the zombie), and added to its
 * exit key's counts_costs entry. What it spends after that is added when it
 * is reaped (reap_cost.bpf.h).
 *
 * wait4() adds the signal struct's sums (threads already released) to each
 * thread still on the thread list. When the exiting thread is the only one
 * left, that is two plain reads. Otherwise (a zombie leader, threads still
 * on their way out) the list is walked under the stats_lock sequence, which
 * __exit_signal() takes when it moves a thread's figures to the signal struct.
 */
#ifndef EXECMOND_BPF_EXIT_COST_BPF_H
#define EXECMOND_BPF_EXIT_COST_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "cputime.h"
#include "execmond.h"
#include "histogram_bucket.h"
#include "table_layout.h"

/* Set by the loader between open and load. */
const volatile __u32 resources = 0; /* enum execmond_resource bits; 0: none */
const volatile __u64 page_size = 4096;
const volatile __u64 rss_bounds_bytes[EXECMOND_MAX_RSS_BUCKETS] = {};
const volatile __u32 rss_bucket_count = 0;

/*
 * Threads read on the slow path; a larger group is summed as far as this at
 * the exit, and the rest is added when the process is reaped.
 */
#define EXECMOND_MAX_THREADS_READ 32

/* One entry per counts value index (2 * max_keys; 1 when no resource is accounted). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct execmond_count_cost);
} counts_costs SEC(".maps");

/* One process's figures, summed over its threads. */
struct exit_usage {
	__u64 utime, stime, runtime; /* ns: tick samples, and the precise sum */
	__u64 cpu_user_ns, cpu_system_ns; /* the runtime split as wait4() splits it */
	__u64 maxrss_pages;
	__u64 read_bytes, write_bytes;
	__u64 min_flt, maj_flt;
	__u64 nvcsw, nivcsw;
};

static __always_inline int usage_has_io(void)
{
	return bpf_core_field_exists(struct task_io_accounting, read_bytes);
}

/*
 * The fields of one thread or of the signal struct (which has the same names),
 * added to `u`: through a BTF pointer with plain loads, or with probe reads
 * for a pointer found by walking a list or passed by a raw tracepoint. Only
 * the resources configured are read: `resources` is read-only data, so the
 * verifier drops the other loads, and a cold task_struct line that nothing
 * reports is never touched.
 */
static __always_inline void usage_add_task(struct exit_usage *u, struct task_struct *t)
{
	if (resources & EXECMOND_RESOURCE_CPU) {
		u->utime += t->utime;
		u->stime += t->stime;
		u->runtime += t->se.sum_exec_runtime;
	}
	if (resources & EXECMOND_RESOURCE_FAULTS) {
		u->min_flt += t->min_flt;
		u->maj_flt += t->maj_flt;
	}
	if (resources & EXECMOND_RESOURCE_SWITCHES) {
		u->nvcsw += t->nvcsw;
		u->nivcsw += t->nivcsw;
	}
	if ((resources & EXECMOND_RESOURCE_IO) && usage_has_io()) {
		u->read_bytes += t->ioac.read_bytes;
		u->write_bytes += t->ioac.write_bytes;
	}
}

static __always_inline void usage_add_signal(struct exit_usage *u, struct signal_struct *sig)
{
	if (resources & EXECMOND_RESOURCE_CPU) {
		u->utime += sig->utime;
		u->stime += sig->stime;
		u->runtime += sig->sum_sched_runtime;
	}
	if (resources & EXECMOND_RESOURCE_FAULTS) {
		u->min_flt += sig->min_flt;
		u->maj_flt += sig->maj_flt;
	}
	if (resources & EXECMOND_RESOURCE_SWITCHES) {
		u->nvcsw += sig->nvcsw;
		u->nivcsw += sig->nivcsw;
	}
	if ((resources & EXECMOND_RESOURCE_IO) && usage_has_io()) {
		u->read_bytes += sig->ioac.read_bytes;
		u->write_bytes += sig->ioac.write_bytes;
	}
}

static __always_inline void usage_add_task_probed(struct exit_usage *u, struct task_struct *t)
{
	if (resources & EXECMOND_RESOURCE_CPU) {
		u->utime += BPF_CORE_READ(t, utime);
		u->stime += BPF_CORE_READ(t, stime);
		u->runtime += BPF_CORE_READ(t, se.sum_exec_runtime);
	}
	if (resources & EXECMOND_RESOURCE_FAULTS) {
		u->min_flt += BPF_CORE_READ(t, min_flt);
		u->maj_flt += BPF_CORE_READ(t, maj_flt);
	}
	if (resources & EXECMOND_RESOURCE_SWITCHES) {
		u->nvcsw += BPF_CORE_READ(t, nvcsw);
		u->nivcsw += BPF_CORE_READ(t, nivcsw);
	}
	if ((resources & EXECMOND_RESOURCE_IO) && usage_has_io()) {
		u->read_bytes += BPF_CORE_READ(t, ioac.read_bytes);
		u->write_bytes += BPF_CORE_READ(t, ioac.write_bytes);
	}
}

static __always_inline void usage_add_signal_probed(struct exit_usage *u,
						    struct signal_struct *sig)
{
	if (resources & EXECMOND_RESOURCE_CPU) {
		u->utime += BPF_CORE_READ(sig, utime);
		u->stime += BPF_CORE_READ(sig, stime);
		u->runtime += BPF_CORE_READ(sig, sum_sched_runtime);
	}
	if (resources & EXECMOND_RESOURCE_FAULTS) {
		u->min_flt += BPF_CORE_READ(sig, min_flt);
		u->maj_flt += BPF_CORE_READ(sig, maj_flt);
	}
	if (resources & EXECMOND_RESOURCE_SWITCHES) {
		u->nvcsw += BPF_CORE_READ(sig, nvcsw);
		u->nivcsw += BPF_CORE_READ(sig, nivcsw);
	}
	if ((resources & EXECMOND_RESOURCE_IO) && usage_has_io()) {
		u->read_bytes += BPF_CORE_READ(sig, ioac.read_bytes);
		u->write_bytes += BPF_CORE_READ(sig, ioac.write_bytes);
	}
}

/* Splits the runtime into user and system time as wait4() does (cputime.h). */
static __always_inline void usage_split_cpu(struct exit_usage *u)
{
	if (!(resources & EXECMOND_RESOURCE_CPU))
		return;
	u->cpu_system_ns = execmond_scaled_stime(u->utime, u->stime, u->runtime);
	u->cpu_user_ns = u->runtime - u->cpu_system_ns;
}

static __always_inline unsigned int usage_stats_sequence(struct signal_struct *sig)
{
	return BPF_CORE_READ(sig, stats_lock.seqcount.seqcount.sequence);
}

/*
 * The signal struct and every thread on its list, read with probe reads.
 * Returns 0 when __exit_signal() moved a thread meanwhile (try again).
 */
static __always_inline int usage_read_threads(struct exit_usage *u, struct signal_struct *sig)
{
	unsigned long head = (unsigned long)sig + bpf_core_field_offset(struct signal_struct, thread_head);
	unsigned long node_offset = bpf_core_field_offset(struct task_struct, thread_node);
	unsigned int seq = usage_stats_sequence(sig);
	struct list_head *node;

	/* Zeroed first: after three odd sequences the figures stand as they are. */
	__builtin_memset(u, 0, sizeof(*u));
	if (seq & 1)
		return 0;
	usage_add_signal_probed(u, sig);
	node = BPF_CORE_READ((struct list_head *)head, next);
	for (int i = 0; i < EXECMOND_MAX_THREADS_READ; i++) {
		if ((unsigned long)node == head || !node)
			break;
		usage_add_task_probed(u, (struct task_struct *)((unsigned long)node - node_offset));
		node = BPF_CORE_READ(node, next);
	}
	return usage_stats_sequence(sig) == seq;
}

/*
 * Called by the thread that counts the process's exit (see on_exit()). What
 * the process spends after this (the rest of the exit, the address space's
 * teardown, threads past the walk's bound) is added when it is reaped
 * (reap_cost.bpf.h).
 */
static __always_inline void usage_read_exit(struct exit_usage *u, struct task_struct *task,
					    struct signal_struct *sig)
{
	if (sig->nr_threads == 1) {
		/* Only this thread is left: nobody else changes the sums now. */
		__builtin_memset(u, 0, sizeof(*u));
		usage_add_signal(u, sig);
		usage_add_task(u, task);
	} else if (!usage_read_threads(u, sig) && !usage_read_threads(u, sig)) {
		/*
		 * Three tries, written out: before 6.4 the verifier's CFG check
		 * refuses the fall-through back-edge clang makes of a retry loop.
		 * After the third, the figures stand as read.
		 */
		usage_read_threads(u, sig);
	}
	usage_split_cpu(u);
	if (resources & EXECMOND_RESOURCE_MEMORY)
		u->maxrss_pages = sig->maxrss;
}

/*
 * Adds one exit's usage to the cost entry of its key's value index; `late`
 * is what the process spent after its exit was counted (reap_cost.bpf.h),
 * which has no peak RSS of its own: that exit was put in its bucket then.
 */
static __always_inline void usage_add_cost(__u32 gen, __u32 max_keys, __u32 index,
				     const struct exit_usage *u, int late)
{
	__u32 at = execmond_count_key_at(gen, max_keys, index);
	struct execmond_count_cost *c;

	if (resources == 0)
		return;
	c = bpf_map_lookup_elem(&counts_costs, &at);
	if (!c)
		return;
	if (resources & EXECMOND_RESOURCE_CPU) {
		__sync_fetch_and_add(&c->cpu_system_ns, u->cpu_system_ns);
		__sync_fetch_and_add(&c->cpu_user_ns, u->cpu_user_ns);
	}
	if ((resources & EXECMOND_RESOURCE_MEMORY) && !late) {
		__u64 bytes = u->maxrss_pages * page_size;
		__u32 bucket = execmond_histogram_bucket(rss_bounds_bytes, EXECMOND_MAX_RSS_BUCKETS,
							 rss_bucket_count, bytes);

		__sync_fetch_and_add(&c->peak_rss_bytes_sum, bytes);
		if (bucket <= EXECMOND_MAX_RSS_BUCKETS)
			__sync_fetch_and_add(&c->peak_rss_buckets[bucket], 1);
	}
	if (resources & EXECMOND_RESOURCE_IO) {
		__sync_fetch_and_add(&c->io_read_bytes, u->read_bytes);
		__sync_fetch_and_add(&c->io_write_bytes, u->write_bytes);
	}
	if (resources & EXECMOND_RESOURCE_FAULTS) {
		__sync_fetch_and_add(&c->minor_faults, u->min_flt);
		__sync_fetch_and_add(&c->major_faults, u->maj_flt);
	}
	if (resources & EXECMOND_RESOURCE_SWITCHES) {
		__sync_fetch_and_add(&c->voluntary_switches, u->nvcsw);
		__sync_fetch_and_add(&c->involuntary_switches, u->nivcsw);
	}
}

#endif /* EXECMOND_BPF_EXIT_COST_BPF_H */
