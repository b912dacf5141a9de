/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The filter rules the daemon places in the kernel (src/kernel/
 * kernel_filters.h): exact command names, uids, executables and cgroup
 * subtrees, so that excluded events cost no counts slot.
 */
#ifndef EXECMOND_BPF_FILTERS_BPF_H
#define EXECMOND_BPF_FILTERS_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "execmond.h"

/* Set by the daemon at start and on every reload. */
volatile __u32 filter_active = 0; /* enum execmond_filter_active */
volatile __u32 self_tgid = 0;     /* the daemon's own activity, when excluded */

/* Filter rules: value is enum execmond_filter_flags. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXECMOND_FILTER_MAX_RULES);
	__type(key, char[EXECMOND_COMM_LEN]);
	__type(value, __u8);
} filter_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXECMOND_FILTER_MAX_RULES);
	__type(key, __u32);
	__type(value, __u8);
} filter_uid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXECMOND_FILTER_MAX_RULES);
	__type(key, struct execmond_exe_key);
	__type(value, __u8);
} filter_exe SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXECMOND_FILTER_MAX_RULES);
	__type(key, __u64); /* cgroup id of a prefix directory: matches its whole subtree */
	__type(value, __u8);
} filter_cgroup SEC(".maps");

static __always_inline __u8 filter_rule_hit(void *map, const void *key)
{
	__u8 *flags = bpf_map_lookup_elem(map, key);

	return flags ? *flags : 0;
}

/* Whether the filters drop an event of the process `key` describes. */
static __always_inline int filter_drops(__u32 tgid, const struct execmond_count_key *key)
{
	__u32 active = filter_active;
	__u8 hits = 0;

	if (self_tgid != 0 && tgid == self_tgid)
		return 1;
	if (!active)
		return 0;
	if (active & EXECMOND_FILTER_COMM)
		hits |= filter_rule_hit(&filter_comm, key->comm);
	if (active & EXECMOND_FILTER_UID)
		hits |= filter_rule_hit(&filter_uid, &key->uid);
	if (active & EXECMOND_FILTER_EXE) {
		struct execmond_exe_key exe = { .ino = key->exe_ino, .dev = key->exe_dev };

		hits |= filter_rule_hit(&filter_exe, &exe);
	}
	if (active & EXECMOND_FILTER_CGROUP) {
		/* A prefix rule holds its directory's id, an ancestor of the whole subtree. */
		for (int level = 0; level < EXECMOND_MAX_CGROUP_DEPTH; level++) {
			__u64 id = bpf_get_current_ancestor_cgroup_id(level);

			if (id == 0)
				break;
			hits |= filter_rule_hit(&filter_cgroup, &id);
		}
	}
	if (hits & EXECMOND_FILTER_EXCLUDE)
		return 1;
	return (active & EXECMOND_FILTER_INCLUDE_IN_KERNEL) && !(hits & EXECMOND_FILTER_INCLUDE);
}

#endif /* EXECMOND_BPF_FILTERS_BPF_H */
