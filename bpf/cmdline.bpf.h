/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Command lines: read at exec from the new program's memory (mm->arg_start
 * .. arg_end, where execve() copied the arguments; the pointers the caller
 * passed may be gone or rewritten by then), named by their hash
 * (cmdline_hash.h), and sent to the daemon once per distinct id through the
 * cmdlines ring. Keys carry the id only.
 *
 * The common case is an id the kernel has sent already: one probe read of
 * the used bytes, a hash loop over them and one hash-map lookup.
 */
#ifndef EXECMOND_BPF_CMDLINE_BPF_H
#define EXECMOND_BPF_CMDLINE_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "cmdline_hash.h"
#include "execmond.h"
#include "proc_origin.bpf.h"

/* At most EXECMOND_CMDLINE_MAX; set by the loader. */
const volatile __u32 cmdline_max_bytes = 4096;

#define CMDLINE_MASK (EXECMOND_CMDLINE_MAX - 1)
#define CMDLINE_WORDS (EXECMOND_CMDLINE_MAX / 8)
#define CMDLINE_HEADER_BYTES (sizeof(struct execmond_cmdline_record) - EXECMOND_CMDLINE_MAX)

/*
 * Where a command line is read and hashed, and sent from: one per CPU,
 * indexed by CPU. Not a per-CPU array, whose one entry would take 16 KiB on
 * every CPU with capture off too; this one the loader sizes to 1 then.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* ncpus */
	__type(key, __u32);
	__type(value, struct execmond_cmdline_record);
} cmdline_scratch SEC(".maps");

/*
 * The ids sent to the daemon. An id it evicts, or the daemon forgets
 * (CmdlineRing::forget), is sent again at its next exec. Sized by the loader
 * while capture is on, else 1.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u8);
} cmdlines_known SEC(".maps");

/*
 * Records of struct execmond_cmdline_record, header and `len` bytes each,
 * read by the drain before the keys: a record is written before its exec is
 * counted. Nobody waits on it, so no wakeups. Sized by the loader (a page
 * while capture is off).
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} cmdlines SEC(".maps");

/* enum execmond_cmdline_event; read by the daemon, summed over CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXECMOND_CMDLINE_EVENTS);
	__type(key, __u32);
	__type(value, __u64);
} cmdline_events SEC(".maps");

static __always_inline void cmdline_count(__u32 event)
{
	__u64 *n = bpf_map_lookup_elem(&cmdline_events, &event);

	if (n)
		*n += 1;
}

/* Whether a word holds a zero byte (the classic bit trick: exact, not just likely). */
static __always_inline int cmdline_has_nul(__u64 w)
{
	return ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) != 0;
}

/*
 * The length to keep of `len` > 0 bytes read up to the bound: just past the
 * last NUL (the end of the last whole argument), or all of them if there is
 * none. Only for command lines longer than the bound, so it may scan them.
 * The last word with a NUL is kept in the record's `len` (volatile, so not
 * in a register too): the verifier would otherwise follow each of its 2048
 * values on its own.
 */
static __always_inline __u32 cmdline_cut(struct execmond_cmdline_record *rec, __u32 len)
{
	const __u64 *words = (const __u64 *)rec->args;
	__u32 whole = len / 8;
	__u32 last_word, cut = 0;

	*(volatile __u32 *)&rec->len = 0; /* the last whole word with a NUL, + 1 */
	for (__u32 i = 0; i < CMDLINE_WORDS && i < whole; i++)
		if (cmdline_has_nul(words[i]))
			*(volatile __u32 *)&rec->len = i + 1;
	for (__u32 k = 0; k < 8; k++) {
		__u32 at = whole * 8 + k;

		if (at >= len)
			break;
		if (rec->args[at & CMDLINE_MASK] == 0)
			cut = at + 1;
	}
	if (cut)
		return cut;
	last_word = *(volatile __u32 *)&rec->len;
	if (!last_word)
		return len;
	for (__u32 k = 0; k < 8; k++) {
		__u32 at = (last_word - 1) * 8 + k;

		if (rec->args[at & CMDLINE_MASK] == 0)
			cut = at + 1;
	}
	return cut;
}

/*
 * The id of the record's `len` bytes, its last word padded with zeros first.
 * The loop compares with a count it loads from the record each time, not a
 * register: the verifier learns nothing from the comparison then, so its
 * 2048 ways out of the loop are one state, not one each.
 */
static __always_inline __u64 cmdline_hash(struct execmond_cmdline_record *rec, __u32 len,
					  __u32 flags)
{
	const __u64 *words = (const __u64 *)rec->args;
	__u64 h = EXECMOND_CMDLINE_HASH_SEED;

	for (__u32 k = 0; k < 7; k++) {
		__u32 at = len + k;

		if (!(at & 7))
			break;
		rec->args[at & CMDLINE_MASK] = 0;
	}
	rec->id = execmond_cmdline_words(len); /* until the id is known */
	for (__u32 i = 0; i < CMDLINE_WORDS; i++) {
		if (i >= *(volatile __u64 *)&rec->id)
			break;
		h = execmond_cmdline_hash_word(h, words[i]);
	}
	return execmond_cmdline_hash_end(h, len, flags);
}

/*
 * Sends a record the first time its id is seen; the ring full, it is sent at
 * a later exec. bpf_ringbuf_output() copies the header and the `len` bytes
 * used; a reserve needs a constant size, so each record would take the
 * whole 16 KiB buffer of the ring (a few hundred bytes is the usual command
 * line), and the copy into it would be the same one.
 */
static __always_inline void cmdline_send_once(struct execmond_cmdline_record *rec)
{
	__u8 one = 1;
	__u32 len = rec->len;

	if (bpf_map_lookup_elem(&cmdlines_known, &rec->id))
		return;
	/* Of two CPUs that find the same new id, one inserts it and sends it. */
	if (bpf_map_update_elem(&cmdlines_known, &rec->id, &one, BPF_NOEXIST) != 0)
		return;
	if (len > EXECMOND_CMDLINE_MAX)
		len = EXECMOND_CMDLINE_MAX;
	if (bpf_ringbuf_output(&cmdlines, rec, CMDLINE_HEADER_BYTES + len, BPF_RB_NO_WAKEUP) != 0) {
		bpf_map_delete_elem(&cmdlines_known, &rec->id);
		cmdline_count(EXECMOND_CMDLINE_EVENT_RING_FULL);
	}
}

/*
 * The id of the command line `task` (current, at exec) was started with,
 * sent to the daemon if it is new; 0 when it cannot be read.
 */
static __always_inline __u64 cmdline_capture(struct task_struct *task)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct execmond_cmdline_record *rec = bpf_map_lookup_elem(&cmdline_scratch, &cpu);
	struct mm_struct *mm = task->mm;
	__u32 bound = cmdline_max_bytes;
	__u64 start, len;

	if (!rec || !mm) {
		cmdline_count(EXECMOND_CMDLINE_EVENT_READ_FAILED);
		return 0;
	}
	start = mm->arg_start;
	len = mm->arg_end - start;
	rec->flags = 0;
	if (bound > EXECMOND_CMDLINE_MAX)
		bound = EXECMOND_CMDLINE_MAX;
	if (len > bound) {
		len = bound;
		rec->flags = EXECMOND_CMDLINE_TRUNCATED;
	}
	if (len > EXECMOND_CMDLINE_MAX) /* for the verifier: bound is a variable */
		len = EXECMOND_CMDLINE_MAX;
	if (bpf_probe_read_user(rec->args, len, (const void *)start) != 0) {
		cmdline_count(EXECMOND_CMDLINE_EVENT_READ_FAILED);
		return 0;
	}
	if (rec->flags) {
		len = len ? cmdline_cut(rec, len) : 0;
		cmdline_count(EXECMOND_CMDLINE_EVENT_TRUNCATED);
	}
	/* Through memory: the paths here meet the hash loop as one state, not one each. */
	*(volatile __u32 *)&rec->len = len;
	len = *(volatile __u32 *)&rec->len;
	if (len > EXECMOND_CMDLINE_MAX)
		len = EXECMOND_CMDLINE_MAX;
	rec->id = cmdline_hash(rec, len, rec->flags);
	cmdline_send_once(rec);
	return rec->id;
}

#endif /* EXECMOND_BPF_CMDLINE_BPF_H */
