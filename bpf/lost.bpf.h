/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What the kernel side could not record, by enum execmond_lost_reason. */
#ifndef EXECMOND_BPF_LOST_BPF_H
#define EXECMOND_BPF_LOST_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "execmond.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXECMOND_LOST_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void lost_count(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&lost, &reason);

	if (n)
		*n += 1;
}

#endif /* EXECMOND_BPF_LOST_BPF_H */
