/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The procs table (struct execmond_proc in execmond.h): one slot per live
 * process, claimed with compare-and-swap, its sequence odd while written,
 * and the per-CPU dirty bitmaps that tell the daemon which blocks to re-read.
 * Processes found running at start-up live in procs_seeded instead. Indexes
 * and the state word are computed by table_layout.h, which the daemon's
 * reader shares.
 */
#ifndef EXECMOND_BPF_PROCS_TABLE_BPF_H
#define EXECMOND_BPF_PROCS_TABLE_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "execmond.h"
#include "generation.bpf.h"
#include "proc_origin.bpf.h"
#include "table_layout.h"

#define EEXIST 17

const volatile __u32 procs_mask = 0;  /* procs slots - 1, a power of two minus one */
const volatile __u32 dirty_words = 1; /* procs_dirty words per CPU and generation */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* procs_mask + 1 */
	__type(key, __u32);
	__type(value, struct execmond_proc);
} procs SEC(".maps");

/* One bit per block of EXECMOND_PROCS_PER_DIRTY_BIT procs slots a handler changed. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2); /* 2 * ncpus * dirty_words */
	__type(key, __u32);
	__type(value, __u64);
} procs_dirty SEC(".maps");

/*
 * Processes found running at start-up. Only their execs and exits touch it: a
 * hash map keeps the seeding race-free, and its cost does not matter there.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH); /* preallocated: tracing programs on 5.x need that */
	__uint(max_entries, 32768);      /* resized by the loader */
	__type(key, struct execmond_proc_key);
	__type(value, struct execmond_proc_value);
} procs_seeded SEC(".maps");

/*
 * Adds to an atomic word and orders every access before and after it, on all
 * architectures: the fetching form is a full barrier (arm64's plain atomic
 * add is not), and using its result keeps clang from emitting the other.
 */
static __always_inline __u64 procs_fetch_add_ordered(__u64 *word, __u64 delta)
{
	__u64 old = __sync_fetch_and_add(word, delta);

	barrier_var(old);
	return old;
}

static __always_inline struct execmond_proc *proc_at(__u32 home, __u32 probe, __u32 *at)
{
	*at = execmond_proc_probe(home, probe, procs_mask);
	return bpf_map_lookup_elem(&procs, at);
}

/* Tells the daemon that the block holding slot `at` changed. */
static __always_inline void procs_mark_dirty(__u32 at)
{
	__u32 block = execmond_dirty_block(at);
	__u32 word = execmond_dirty_word_at(gen_current(), ncpus, bpf_get_smp_processor_id(),
					    dirty_words, block);
	__u64 *bits = bpf_map_lookup_elem(&procs_dirty, &word);

	if (bits)
		*bits |= execmond_dirty_bit(block);
}

/* Inside the slot's sequence: the daemon reads the origin between its two copies of the slot. */
static __always_inline void procs_set_who(struct execmond_proc *p, __u32 at,
					  const struct execmond_count_key *who,
					  const struct execmond_proc_origin *origin)
{
	__builtin_memcpy(p->comm, who->comm, sizeof(p->comm));
	p->cgroup_id = who->cgroup_id;
	p->exe_ino = who->exe_ino;
	p->exe_dev = who->exe_dev;
	p->exe_generation = who->exe_generation;
	p->uid = who->uid;
	if (origin_kept()) {
		struct execmond_proc_origin *o = bpf_map_lookup_elem(&procs_origin, &at);

		if (o)
			*o = *origin;
	}
}

/* The slot of process (tgid, start), or NULL; `at` is its index. */
static __always_inline struct execmond_proc *proc_find(__u32 tgid, __u64 start, __u32 *at)
{
	__u32 home = execmond_proc_home(tgid, procs_mask);

	for (__u32 probe = 0; probe < EXECMOND_PROC_PROBES; probe++) {
		struct execmond_proc *p = proc_at(home, probe, at);
		__u32 held;

		if (!p)
			break;
		held = execmond_proc_tgid(p->state);
		if (held == EXECMOND_PROC_EMPTY)
			break;
		if (held == tgid && p->start_boottime_ns == start)
			return p;
	}
	return NULL;
}

/* Adds a new process; 0 when no slot was free within the probe limit. */
static __always_inline int proc_insert(__u32 tgid, __u64 start, const struct execmond_count_key *who,
				       const struct execmond_proc_origin *origin)
{
	__u32 home = execmond_proc_home(tgid, procs_mask);

	for (__u32 probe = 0; probe < EXECMOND_PROC_PROBES; probe++) {
		__u32 at;
		struct execmond_proc *p = proc_at(home, probe, &at);
		__u64 state;

		if (!p)
			break;
		state = p->state;
		if (execmond_proc_is_live(execmond_proc_tgid(state)))
			continue;
		/* The claim makes the sequence odd: the daemon skips the slot until it is even. */
		if (__sync_val_compare_and_swap(&p->state, state, execmond_proc_claimed(state, tgid)) !=
		    state)
			continue;
		p->start_boottime_ns = start;
		procs_set_who(p, at, who, origin);
		procs_fetch_add_ordered(&p->state, EXECMOND_PROC_SEQ_STEP);
		procs_mark_dirty(at);
		return 1;
	}
	return 0;
}

/* Gives the process in slot `at` a new identity (at exec). */
static __always_inline void proc_rename(struct execmond_proc *p, __u32 at,
					const struct execmond_count_key *who,
					const struct execmond_proc_origin *origin)
{
	/* Odd while renaming: the daemon skips the slot, and sees the block dirty next drain. */
	procs_fetch_add_ordered(&p->state, EXECMOND_PROC_SEQ_STEP);
	procs_set_who(p, at, who, origin);
	procs_fetch_add_ordered(&p->state, EXECMOND_PROC_SEQ_STEP);
	procs_mark_dirty(at);
}

/* Frees slot `at` seen in `state`; 0 when another thread freed it first. */
static __always_inline int proc_remove(struct execmond_proc *p, __u32 at, __u64 state)
{
	if (__sync_val_compare_and_swap(&p->state, state, execmond_proc_deleted(state)) != state)
		return 0;
	procs_mark_dirty(at);
	return 1;
}

/* ---- procs_seeded: start-up processes and execs without an entry ---- */

static __always_inline void proc_seeded_value(struct execmond_proc_value *v,
					 const struct execmond_count_key *who,
					 const struct execmond_proc_origin *origin)
{
	__builtin_memcpy(v->comm, who->comm, sizeof(v->comm));
	v->cgroup_id = who->cgroup_id;
	v->exe_ino = who->exe_ino;
	v->exe_dev = who->exe_dev;
	v->exe_generation = who->exe_generation;
	v->uid = who->uid;
	v->cmdline_id = origin->cmdline_id;
	__builtin_memcpy(v->parent, origin->parent, sizeof(v->parent));
}

/* Adds a process to procs_seeded; 0 when the map is full. */
static __always_inline int proc_seeded_add(const struct execmond_proc_key *pkey,
				      const struct execmond_count_key *who,
				      const struct execmond_proc_origin *origin)
{
	struct execmond_proc_value v = {};
	long err;

	proc_seeded_value(&v, who, origin);
	err = bpf_map_update_elem(&procs_seeded, pkey, &v, BPF_NOEXIST);
	return err == 0 || err == -EEXIST;
}

/* ---- origins ---- */

/* The origin kept in slot `at`; zeros when there is none. */
static __always_inline void proc_origin_at(__u32 at, struct execmond_proc_origin *out)
{
	struct execmond_proc_origin *o = bpf_map_lookup_elem(&procs_origin, &at);

	if (o)
		*out = *o;
}

static __always_inline void proc_origin_seeded(const struct execmond_proc_value *v,
					       struct execmond_proc_origin *out)
{
	out->cmdline_id = v->cmdline_id;
	__builtin_memcpy(out->parent, v->parent, sizeof(out->parent));
}

/*
 * The origin of a live process found by (tgid, start), in the procs table or
 * procs_seeded; zeros for an untracked one. Only while a knob is on: it is a
 * lookup the fork handler does not make otherwise.
 */
static __always_inline void proc_origin_of(__u32 tgid, __u64 start, struct execmond_proc_origin *out)
{
	struct execmond_proc_key pkey = { .tgid = tgid, .start_boottime_ns = start };
	struct execmond_proc_value *v;
	__u32 at;

	if (proc_find(tgid, start, &at)) {
		proc_origin_at(at, out);
		return;
	}
	v = bpf_map_lookup_elem(&procs_seeded, &pkey);
	if (v)
		proc_origin_seeded(v, out);
}

#endif /* EXECMOND_BPF_PROCS_TABLE_BPF_H */
