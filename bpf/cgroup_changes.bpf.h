/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Cgroups of the v2 hierarchy as they are made and removed, for the daemon:
 * a cgroup that lives 50 ms is gone before the next drain asks for its path,
 * so the daemon learns each one's name and parent when it is made, and keeps
 * them for a while after it is removed (src/identity/cgroup_directory.h).
 *
 * mkdir and rmdir are rare next to fork, exec and exit, so these handlers
 * read through probe reads (BPF_CORE_READ), which serve the tp_btf and the
 * raw_tp programs alike.
 */
#ifndef EXECMOND_BPF_CGROUP_CHANGES_BPF_H
#define EXECMOND_BPF_CGROUP_CHANGES_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "execmond.h"

/*
 * Flavors of the kernel's types (libbpf drops the ___ suffix when it relocates):
 * only the fields read here.
 */
struct kernfs_node___named {
	__u64 id;
	const char *name; /* the directory's name, at most NAME_MAX bytes */
} EXECMOND_PAI;

struct cgroup_root___cgchange {
	int hierarchy_id; /* 0 for the v2 (default) hierarchy, as /proc/PID/cgroup shows it */
} EXECMOND_PAI;

struct cgroup___cgchange;

struct cgroup_subsys_state___cgchange {
	struct cgroup___cgchange *cgroup;
	struct cgroup_subsys_state___cgchange *parent;
} EXECMOND_PAI;

struct cgroup___cgchange {
	struct cgroup_subsys_state___cgchange self; /* its parent is the parent cgroup's */
	struct kernfs_node___named *kn;
	struct cgroup_root___cgchange *root;
} EXECMOND_PAI;

#define EXECMOND_CGROUP_RING_BYTES (256 * 1024)

/* About 900 records; the daemon reads them at every drain, and when woken. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EXECMOND_CGROUP_RING_BYTES);
} cgroup_changes SEC(".maps");

/* Records that found the ring full; the daemon reads it as execmond_cgroup_changes_lost_total. */
__u64 cgroup_changes_lost = 0;

/*
 * Set by the daemon: 1 while it reads a container's runtime state as soon as
 * its cgroup is made (the pod, namespace or container label is in use).
 * Otherwise nothing is urgent before the next drain, and a wakeup (an
 * irq_work, a self-IPI that costs microseconds under a hypervisor) is spent
 * only when half the ring waits.
 */
volatile __u32 cgroup_mkdir_wakeup = 0;

static __always_inline __u64 cgroup_change_wakeup(__u32 kind)
{
	if (kind == EXECMOND_CGROUP_MKDIR && cgroup_mkdir_wakeup)
		return BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_query(&cgroup_changes, BPF_RB_AVAIL_DATA) >= EXECMOND_CGROUP_RING_BYTES / 2)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline int record_cgroup_change(void *cgroup, __u32 kind)
{
	struct cgroup___cgchange *cgrp = cgroup;
	struct execmond_cgroup_change *change;

	/* The v1 hierarchies' cgroups are no process's cgroup id. */
	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	change = bpf_ringbuf_reserve(&cgroup_changes, sizeof(*change), 0);
	if (!change) {
		__sync_fetch_and_add(&cgroup_changes_lost, 1);
		return 0;
	}
	change->id = BPF_CORE_READ(cgrp, kn, id);
	change->kind = kind;
	change->pad = 0;
	change->parent_id = 0;
	change->name[0] = '\0';
	if (kind == EXECMOND_CGROUP_MKDIR) {
		change->parent_id = BPF_CORE_READ(cgrp, self.parent, cgroup, kn, id);
		if (bpf_probe_read_kernel_str(change->name, sizeof(change->name),
					      BPF_CORE_READ(cgrp, kn, name)) < 0)
			change->name[0] = '\0';
	}
	bpf_ringbuf_submit(change, cgroup_change_wakeup(kind));
	return 0;
}

#endif /* EXECMOND_BPF_CGROUP_CHANGES_BPF_H */
