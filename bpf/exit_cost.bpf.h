/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a process cost, read once when its last thread exits: CPU, peak
 * memory, storage I/O, page faults and context switches, summed the way the
 * parent's wait4() sums them (getrusage(RUSAGE_BOTH) of the zombie), and
 * added to its exit key's counts_costs entry.
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

/* Threads read on the slow path; a larger group is summed as far as this. */
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
	__u64 maxrss_pages;
	__u64 read_bytes, write_bytes;
	__u64 min_flt, maj_flt;
	__u64 nvcsw, nivcsw;
};

static __always_inline int has_io_accounting(void)
{
	return bpf_core_field_exists(struct task_io_accounting, read_bytes);
}

#define EXECMOND_READ(src, field, typed) ((typed) ? (src)->field : BPF_CORE_READ(src, field))

/*
 * The fields of one thread, or of the signal struct (which has the same
 * names): `typed` selects plain loads through a BTF pointer or probe reads.
 * Only the resources configured are read: `resources` is read-only data, so
 * the verifier drops the other loads, and a cold task_struct line that
 * nothing reports is never touched.
 */
#define ADD_USAGE(u, src, runtime_field, typed)                                        \
	do {                                                                           \
		if (resources & EXECMOND_RESOURCE_CPU) {                               \
			(u)->utime += EXECMOND_READ(src, utime, typed);                \
			(u)->stime += EXECMOND_READ(src, stime, typed);                \
			(u)->runtime += EXECMOND_READ(src, runtime_field, typed);      \
		}                                                                      \
		if (resources & EXECMOND_RESOURCE_FAULTS) {                            \
			(u)->min_flt += EXECMOND_READ(src, min_flt, typed);            \
			(u)->maj_flt += EXECMOND_READ(src, maj_flt, typed);            \
		}                                                                      \
		if (resources & EXECMOND_RESOURCE_SWITCHES) {                          \
			(u)->nvcsw += EXECMOND_READ(src, nvcsw, typed);                \
			(u)->nivcsw += EXECMOND_READ(src, nivcsw, typed);              \
		}                                                                      \
		if ((resources & EXECMOND_RESOURCE_IO) && has_io_accounting()) {       \
			(u)->read_bytes += EXECMOND_READ(src, ioac.read_bytes, typed); \
			(u)->write_bytes += EXECMOND_READ(src, ioac.write_bytes, typed); \
		}                                                                      \
	} while (0)

static __always_inline unsigned int stats_sequence(struct signal_struct *sig)
{
	return BPF_CORE_READ(sig, stats_lock.seqcount.seqcount.sequence);
}

/*
 * The signal struct and every thread on its list, read with probe reads.
 * Returns 0 when __exit_signal() moved a thread meanwhile (try again).
 */
static __always_inline int read_threads(struct exit_usage *u, struct signal_struct *sig)
{
	unsigned long head = (unsigned long)sig + bpf_core_field_offset(struct signal_struct, thread_head);
	unsigned long node_offset = bpf_core_field_offset(struct task_struct, thread_node);
	unsigned int seq = stats_sequence(sig);
	struct list_head *node;

	/* Zeroed first: after three odd sequences the figures stand as they are. */
	__builtin_memset(u, 0, sizeof(*u));
	if (seq & 1)
		return 0;
	ADD_USAGE(u, sig, sum_sched_runtime, 0);
	node = BPF_CORE_READ((struct list_head *)head, next);
	for (int i = 0; i < EXECMOND_MAX_THREADS_READ; i++) {
		struct task_struct *t;

		if ((unsigned long)node == head || !node)
			break;
		t = (struct task_struct *)((unsigned long)node - node_offset);
		ADD_USAGE(u, t, se.sum_exec_runtime, 0);
		node = BPF_CORE_READ(node, next);
	}
	return stats_sequence(sig) == seq;
}

/* Called by the thread that counts the process's exit (see on_exit()). */
static __always_inline void read_exit_usage(struct exit_usage *u, struct task_struct *task,
					    struct signal_struct *sig)
{
	if (sig->nr_threads == 1) {
		/* Only this thread is left: nobody else changes the sums now. */
		__builtin_memset(u, 0, sizeof(*u));
		ADD_USAGE(u, sig, sum_sched_runtime, 1);
		ADD_USAGE(u, task, se.sum_exec_runtime, 1);
	} else if (!read_threads(u, sig) && !read_threads(u, sig)) {
		/*
		 * Three tries, written out: before 6.4 the verifier's CFG check
		 * refuses the fall-through back-edge clang makes of a retry loop.
		 * After the third, the figures stand as read.
		 */
		read_threads(u, sig);
	}
	if (resources & EXECMOND_RESOURCE_MEMORY)
		u->maxrss_pages = sig->maxrss;
}

/* Adds one exit's usage to the cost entry of its key's value index. */
static __always_inline void add_cost(__u32 gen, __u32 max_keys, __u32 index,
				     const struct exit_usage *u)
{
	__u32 at = execmond_count_key_at(gen, max_keys, index);
	struct execmond_count_cost *c;

	if (resources == 0)
		return;
	c = bpf_map_lookup_elem(&counts_costs, &at);
	if (!c)
		return;
	if (resources & EXECMOND_RESOURCE_CPU) {
		__u64 system = execmond_scaled_stime(u->utime, u->stime, u->runtime);

		__sync_fetch_and_add(&c->cpu_system_ns, system);
		__sync_fetch_and_add(&c->cpu_user_ns, u->runtime - system);
	}
	if (resources & EXECMOND_RESOURCE_MEMORY) {
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
