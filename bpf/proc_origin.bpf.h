/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Where each process came from (struct execmond_proc_origin in execmond.h):
 * its command line's id and its parent's comm, beside the procs table, and
 * the knobs that turn them on. With both knobs off nothing here is read or
 * written, and the keys carry 0 and "". Command lines may be captured for
 * the exit records alone (exit_record.bpf.h), and then stay out of the keys.
 */
#ifndef EXECMOND_BPF_PROC_ORIGIN_BPF_H
#define EXECMOND_BPF_PROC_ORIGIN_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "execmond.h"

const volatile __u8 capture_cmdline = 0; /* read each exec's command line (cmdline.bpf.h) */
const volatile __u8 record_parent = 0;   /* keep the comm of the process that forked each one */

/* One per procs slot while a knob is on (the loader sizes it), else 1. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct execmond_proc_origin);
} procs_origin SEC(".maps");

/*
 * Either knob, set by the loader: one load and one test where two knobs
 * would cost two of each, on the paths every fork and exec take.
 */
const volatile __u8 keep_origin = 0;

/* A constant once loaded: the verifier drops every branch it guards when both knobs are off. */
static __always_inline int origin_kept(void)
{
	return keep_origin;
}

/*
 * Set by the loader: the keys carry the command line's id (the naming rules
 * read it), and the keys carry an origin at all (that, or record_parent).
 */
const volatile __u8 key_cmdline = 0;
const volatile __u8 key_origin = 0;

static __always_inline int keys_carry_origin(void)
{
	return key_origin;
}

static __always_inline void origin_to_key(const struct execmond_proc_origin *o,
					  struct execmond_count_key *key)
{
	if (key_cmdline)
		key->cmdline_id = o->cmdline_id;
	__builtin_memcpy(key->parent, o->parent, sizeof(key->parent));
}

#endif /* EXECMOND_BPF_PROC_ORIGIN_BPF_H */
