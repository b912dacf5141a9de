/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where things are in the counts and procs tables, and how their words are
 * packed: the one copy of that arithmetic, compiled into the handlers
 * (the bpf/ pieces) and into the daemon's readers (src/kernel/), so the two
 * sides cannot disagree. Plain C over __u32/__u64 that is also valid C++.
 */
#ifndef EXECMOND_BPF_TABLE_LAYOUT_H
#define EXECMOND_BPF_TABLE_LAYOUT_H

#include <linux/types.h>

#ifdef __bpf__
#define EXECMOND_LAYOUT_FN static __always_inline
#else
#define EXECMOND_LAYOUT_FN static inline
#endif

/* ---- generations ---- */

/* The half of every drained table that `generation` selects. */
EXECMOND_LAYOUT_FN __u32 execmond_gen(__u32 generation)
{
	return generation & 1U;
}

/* A 64-bit finalizer (murmur3's), folded to 32 bits. */
EXECMOND_LAYOUT_FN __u32 execmond_mix(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (__u32)x;
}

/* ---- the counts table ---- */

/* A slot's tag: 0 when empty, else (key hash << 32) | state. */
#define EXECMOND_SLOT_BUSY 0xffffffffU /* being claimed: the key is not written yet */
#define EXECMOND_SLOT_FULL 0xfffffffeU /* max_keys reached: this key's events are lost */
#define EXECMOND_COUNT_PROBES 32

EXECMOND_LAYOUT_FN __u64 execmond_tag(__u32 hash, __u32 state)
{
	return ((__u64)hash << 32) | state;
}

EXECMOND_LAYOUT_FN __u32 execmond_tag_hash(__u64 tag)
{
	return (__u32)(tag >> 32);
}

/* The value index + 1, or one of the EXECMOND_SLOT_* markers. */
EXECMOND_LAYOUT_FN __u32 execmond_tag_state(__u64 tag)
{
	return (__u32)tag;
}

EXECMOND_LAYOUT_FN __u32 execmond_state_of_index(__u32 index)
{
	return index + 1;
}

EXECMOND_LAYOUT_FN __u32 execmond_index_of_state(__u32 state)
{
	return state - 1;
}

/* The counts_slots index of a key's probe'th slot; key_slots is a power of two. */
EXECMOND_LAYOUT_FN __u32 execmond_count_slot_at(__u32 gen, __u32 key_slots, __u32 hash,
						__u32 probe)
{
	return gen * key_slots + ((hash + probe) & (key_slots - 1));
}

/* The counts_keys and counts_index entry of a value index. */
EXECMOND_LAYOUT_FN __u32 execmond_count_key_at(__u32 gen, __u32 max_keys, __u32 index)
{
	return gen * max_keys + index;
}

/* The counts_values entry of a value index on one CPU. */
EXECMOND_LAYOUT_FN __u32 execmond_count_value_at(__u32 gen, __u32 ncpus, __u32 cpu,
						 __u32 max_keys, __u32 index)
{
	return (gen * ncpus + cpu) * max_keys + index;
}

/* ---- the procs table ---- */

/* A slot's state: (sequence << 32) | tgid, the tgid being one of these when no process is there. */
#define EXECMOND_PROC_EMPTY 0U            /* never used: a lookup may stop here */
#define EXECMOND_PROC_DELETED 0xffffffffU /* a process ended here: probe on */
#define EXECMOND_PROC_PROBES 64
/* One sequence step: odd while a writer is in the slot. */
#define EXECMOND_PROC_SEQ_STEP (1ULL << 32)
/* One dirty bit covers a block of this many procs slots (a 4 KiB page). */
#define EXECMOND_PROCS_PER_DIRTY_BIT 64
#define EXECMOND_DIRTY_WORD_BITS 64

/*
 * A process's first slot. PIDs are handed out in sequence, so 64 neighbours
 * share a 4 KiB block (hot in the cache and TLB in a spawn storm); blocks are
 * scattered so that a run of live PIDs does not make long probe chains.
 */
EXECMOND_LAYOUT_FN __u32 execmond_proc_home(__u32 tgid, __u32 procs_mask)
{
	return ((tgid % EXECMOND_PROCS_PER_DIRTY_BIT) |
		(execmond_mix(tgid / EXECMOND_PROCS_PER_DIRTY_BIT) * EXECMOND_PROCS_PER_DIRTY_BIT)) &
	       procs_mask;
}

EXECMOND_LAYOUT_FN __u32 execmond_proc_probe(__u32 home, __u32 probe, __u32 procs_mask)
{
	return (home + probe) & procs_mask;
}

EXECMOND_LAYOUT_FN __u32 execmond_proc_tgid(__u64 state)
{
	return (__u32)state;
}

EXECMOND_LAYOUT_FN int execmond_proc_is_live(__u32 tgid)
{
	return tgid != EXECMOND_PROC_EMPTY && tgid != EXECMOND_PROC_DELETED;
}

/* The seqlock rule: an odd sequence means a writer is in the slot. */
EXECMOND_LAYOUT_FN int execmond_proc_being_written(__u64 state)
{
	return (int)((state >> 32) & 1U);
}

/* A free slot's state once claimed for tgid: the sequence turns odd. */
EXECMOND_LAYOUT_FN __u64 execmond_proc_claimed(__u64 state, __u32 tgid)
{
	return ((state & ~0xffffffffULL) + EXECMOND_PROC_SEQ_STEP) | tgid;
}

/* A live slot's state once its process ended: the sequence stays. */
EXECMOND_LAYOUT_FN __u64 execmond_proc_deleted(__u64 state)
{
	return (state & ~0xffffffffULL) | EXECMOND_PROC_DELETED;
}

/* ---- the procs dirty bitmaps ---- */

/* procs_dirty words per CPU and generation for a table of procs_slots slots. */
EXECMOND_LAYOUT_FN __u32 execmond_dirty_words(__u32 procs_slots)
{
	return (procs_slots / EXECMOND_PROCS_PER_DIRTY_BIT + EXECMOND_DIRTY_WORD_BITS - 1) /
	       EXECMOND_DIRTY_WORD_BITS;
}

EXECMOND_LAYOUT_FN __u32 execmond_dirty_block(__u32 slot)
{
	return slot / EXECMOND_PROCS_PER_DIRTY_BIT;
}

EXECMOND_LAYOUT_FN __u32 execmond_block_first_slot(__u32 block)
{
	return block * EXECMOND_PROCS_PER_DIRTY_BIT;
}

/* The procs_dirty entry that holds a block's bit on one CPU. */
EXECMOND_LAYOUT_FN __u32 execmond_dirty_word_at(__u32 gen, __u32 ncpus, __u32 cpu,
						__u32 dirty_words, __u32 block)
{
	return (gen * ncpus + cpu) * dirty_words + block / EXECMOND_DIRTY_WORD_BITS;
}

EXECMOND_LAYOUT_FN __u64 execmond_dirty_bit(__u32 block)
{
	return 1ULL << (block % EXECMOND_DIRTY_WORD_BITS);
}

/* The block of bit `bit` in word `word` of one CPU's bitmap. */
EXECMOND_LAYOUT_FN __u32 execmond_dirty_block_of(__u32 word, __u32 bit)
{
	return word * EXECMOND_DIRTY_WORD_BITS + bit;
}

#undef EXECMOND_LAYOUT_FN

#endif /* EXECMOND_BPF_TABLE_LAYOUT_H */
