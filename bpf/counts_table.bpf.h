/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The counts table (struct execmond_count_slot in execmond.h): open
 * addressing over slots shared by all CPUs, per-CPU values beside them, and
 * each value index's key and slot for the drain. Indexes and tags are
 * computed by table_layout.h, which the daemon's reader shares.
 */
#ifndef EXECMOND_BPF_COUNTS_TABLE_BPF_H
#define EXECMOND_BPF_COUNTS_TABLE_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "execmond.h"
#include "exit_cost.bpf.h"
#include "generation.bpf.h"
#include "lost.bpf.h"
#include "proc_origin.bpf.h"
#include "table_layout.h"

const volatile __u32 max_keys = 1;  /* values per CPU and generation */
const volatile __u32 key_slots = 1; /* counts_slots per generation, a power of two */

/* Count keys claimed in each generation; more than max_keys means some were lost. */
__u32 keys_claimed[2] = {};

/* All sized by the loader; the daemon reads them with batch operations. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2); /* 2 * key_slots */
	__type(key, __u32);
	__type(value, struct execmond_count_slot);
} counts_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2); /* 2 * ncpus * max_keys */
	__type(key, __u32);
	__type(value, struct execmond_count_value);
} counts_values SEC(".maps");

/*
 * Each value index's key and slot, written when the key is claimed: a drain
 * reads the keys it has in one range and empties just their slots.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2); /* 2 * max_keys */
	__type(key, __u32);
	__type(value, struct execmond_count_key);
} counts_keys SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2); /* 2 * max_keys */
	__type(key, __u32);
	__type(value, __u32);
} counts_index SEC(".maps");

/*
 * Each slot's key origin (cmdline_id, parent), apart from the slot so that
 * the slot stays one cache line: sized 2 * key_slots by the loader while the
 * keys carry origins (key_origin, proc_origin.bpf.h), else 1 and never touched.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct execmond_proc_origin);
} counts_origins SEC(".maps");

#define EXECMOND_COUNT_KEY_WORDS (sizeof(struct execmond_count_key) / 8)

#define EXECMOND_ORIGIN_AT __builtin_offsetof(struct execmond_count_key, cmdline_id)
_Static_assert(sizeof(struct execmond_count_slot) == 64, "a counts slot is one cache line");
_Static_assert(EXECMOND_ORIGIN_AT == EXECMOND_COUNT_KEY_WHO_WORDS * 8,
	       "the slot holds the key up to its origin");
_Static_assert(sizeof(struct execmond_count_key) - EXECMOND_ORIGIN_AT ==
		       sizeof(struct execmond_proc_origin),
	       "the key's origin is a struct execmond_proc_origin");
#undef EXECMOND_ORIGIN_AT

/*
 * A key's hash. With both knobs off the origin stays 0 and the hash stops
 * before it, at the cost it had before it existed: the knobs are tested
 * once, not in every word's iteration (the verifier drops the branch, but
 * not the loads of the knobs that decide it).
 */
static __always_inline __u32 counts_key_hash(const struct execmond_count_key *key)
{
	const __u64 *w = (const __u64 *)key;
	__u64 h = 0;

	for (int i = 0; i < EXECMOND_COUNT_KEY_WHO_WORDS; i++)
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
	if (keys_carry_origin()) {
		for (int i = EXECMOND_COUNT_KEY_WHO_WORDS; i < EXECMOND_COUNT_KEY_WORDS; i++)
			h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
	}
	return execmond_mix(h);
}

/* Whether slot `at` holds `key`: its words in the slot, then its origin where one is kept. */
static __always_inline int counts_same_key(const struct execmond_count_slot *s, __u32 at,
					   const struct execmond_count_key *key)
{
	const __u64 *w = (const __u64 *)key;
	const __u64 *o;

	for (int i = 0; i < EXECMOND_COUNT_KEY_WHO_WORDS; i++) {
		if (s->who[i] != w[i])
			return 0;
	}
	if (!keys_carry_origin())
		return 1;
	o = bpf_map_lookup_elem(&counts_origins, &at);
	if (!o)
		return 0;
	for (int i = EXECMOND_COUNT_KEY_WHO_WORDS; i < EXECMOND_COUNT_KEY_WORDS; i++) {
		if (o[i - EXECMOND_COUNT_KEY_WHO_WORDS] != w[i])
			return 0;
	}
	return 1;
}

/*
 * Writes `key` into slot `at` (its origin beside it); 0 when the origin has
 * no room, which the loader's sizing rules out.
 */
static __always_inline int counts_slot_write(struct execmond_count_slot *s, __u32 at,
					     const struct execmond_count_key *key)
{
	struct execmond_proc_origin *o;

	__builtin_memcpy(s->who, key, sizeof(s->who));
	if (!keys_carry_origin())
		return 1;
	o = bpf_map_lookup_elem(&counts_origins, &at);
	if (!o)
		return 0;
	__builtin_memcpy(o, (const char *)key + sizeof(s->who), sizeof(*o));
	return 1;
}

/* One event to count: an exit brings its lifetime and what the process used. */
struct count_event {
	__u64 lifetime_ns;
	const struct exit_usage *usage; /* exits with resources accounted; else NULL */
	/* 1: no event, only what an exit counted earlier cost after it (reap_cost.bpf.h) */
	int late_cost;
};

/*
 * This CPU's value for `index`: no other CPU writes it, the daemon reads it
 * after a grace period. The loader sizes counts_values for every possible
 * CPU, so the lookup cannot fail; if it ever did, the event is counted lost.
 */
static __always_inline void counts_add_value(__u32 gen, __u32 index, const struct count_event *ev,
				      __u32 lost_reason)
{
	__u32 at = execmond_count_value_at(gen, ncpus, bpf_get_smp_processor_id(), max_keys, index);
	struct execmond_count_value *v = bpf_map_lookup_elem(&counts_values, &at);

	if (!v) {
		lost_count(lost_reason);
		return;
	}
	/* A cost completed at the reap adds to the costs only: its exit is counted. */
	if (!ev->late_cost) {
		v->count += 1;
		v->lifetime_ns_sum += ev->lifetime_ns;
	}
	if (ev->usage)
		usage_add_cost(gen, max_keys, index, ev->usage, ev->late_cost);
}

/* Fills a slot this handler claimed (tag BUSY): key, value index, then the tag. */
static __always_inline void counts_claim(struct execmond_count_slot *s, __u32 at, __u32 gen, __u32 hash,
				  const struct execmond_count_key *key, const struct count_event *ev,
				  __u32 lost_reason)
{
	struct execmond_count_key *key_of;
	__u32 index, *slot_of;
	__u32 where;

	if (!counts_slot_write(s, at, key)) {
		/* Matches no key (its origin cannot be read either): later ones probe past it. */
		__sync_lock_test_and_set(&s->tag, execmond_tag(hash, EXECMOND_SLOT_FULL));
		lost_count(lost_reason);
		return;
	}
	index = __sync_fetch_and_add(&keys_claimed[gen], 1);
	if (index >= max_keys) {
		/* Later events with this key stop here and are counted as lost too. */
		__sync_lock_test_and_set(&s->tag, execmond_tag(hash, EXECMOND_SLOT_FULL));
		lost_count(lost_reason);
		return;
	}
	where = execmond_count_key_at(gen, max_keys, index);
	key_of = bpf_map_lookup_elem(&counts_keys, &where);
	if (key_of)
		*key_of = *key;
	slot_of = bpf_map_lookup_elem(&counts_index, &where);
	if (slot_of)
		*slot_of = at;
	counts_add_value(gen, index, ev, lost_reason);
	/* An atomic exchange orders the key before the tag for other CPUs. */
	__sync_lock_test_and_set(&s->tag, execmond_tag(hash, execmond_state_of_index(index)));
}

/*
 * Adds one event to its key's count. Two CPUs that claim a new key at once
 * may each get a slot for it; the daemon adds such duplicates together.
 */
static __always_inline void counts_add(const struct execmond_count_key *key,
				  const struct count_event *ev, __u32 lost_reason)
{
	__u32 gen = gen_current();
	__u32 hash = counts_key_hash(key);

	for (__u32 probe = 0; probe < EXECMOND_COUNT_PROBES; probe++) {
		__u32 at = execmond_count_slot_at(gen, key_slots, hash, probe);
		struct execmond_count_slot *s = bpf_map_lookup_elem(&counts_slots, &at);
		__u64 seen;
		__u32 state;

		if (!s)
			break;
		seen = s->tag;
		if (seen == 0) {
			if (__sync_val_compare_and_swap(&s->tag, 0,
							execmond_tag(hash, EXECMOND_SLOT_BUSY)) != 0)
				continue; /* claimed by another CPU meanwhile */
			counts_claim(s, at, gen, hash, key, ev, lost_reason);
			return;
		}
		state = execmond_tag_state(seen);
		if (execmond_tag_hash(seen) != hash || state == EXECMOND_SLOT_BUSY ||
		    !counts_same_key(s, at, key))
			continue;
		if (state == EXECMOND_SLOT_FULL)
			break;
		counts_add_value(gen, execmond_index_of_state(state), ev, lost_reason);
		return;
	}
	lost_count(lost_reason);
}

#endif /* EXECMOND_BPF_COUNTS_TABLE_BPF_H */
