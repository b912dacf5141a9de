/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The two generations of every table the daemon drains: handlers write to
 * the one `generation` selects, each CPU to its own row where a table has
 * per-CPU rows.
 */
#ifndef EXECMOND_BPF_GENERATION_BPF_H
#define EXECMOND_BPF_GENERATION_BPF_H

#include "core_types.h"
#include <bpf/bpf_helpers.h>

#include "table_layout.h"

const volatile __u32 ncpus = 1; /* possible CPUs: rows of counts_values and procs_dirty */

/* Which generation handlers write to; flipped by the daemon on every drain. */
volatile __u32 generation = 0;

static __always_inline __u32 gen_current(void)
{
	return execmond_gen(generation);
}

#endif /* EXECMOND_BPF_GENERATION_BPF_H */
