/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records of notable exits: an OOM kill, a core dump, a kill by a signal
 * that means a crash, and, while the daemon's selectors ask for them, the
 * failed or all exits it picks among. Each goes through one bounded channel,
 * the exit_records ring, with who the process was and what it spent; one the
 * ring has no room for is counted in exit_record_drops by kind.
 *
 * An ordinary exit pays a load of record_signals and a few tests on the
 * status it has at hand; with records off (a knob) not even that.
 *
 * What ran: see record_reads_mm below.
 */
#ifndef EXECMOND_BPF_EXIT_RECORD_BPF_H
#define EXECMOND_BPF_EXIT_RECORD_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "cmdline.bpf.h"
#include "exe_path.bpf.h"
#include "execmond.h"
#include "exit_cost.bpf.h"

const volatile __u8 records_on = 0;
/*
 * Set by the loader where the exit tracepoint comes before exit_mm() (6.16
 * on): a notable exit's command line and executable are read then, from the
 * process itself, and no exec pays for them. Before, they are those the
 * procs entry kept from the exec (where the loader turned that on).
 */
const volatile __u8 record_reads_mm = 0;
const volatile __u8 record_cmdline = 0; /* records carry command lines (records.cmdline) */

/*
 * Written by the daemon (a reload may change them): bit N set, a kill by
 * signal N (1-63; bit 0 for 64) is a crash; and which ordinary exits it
 * wants to see (enum execmond_record_candidates).
 */
volatile __u64 record_signals = 0;
volatile __u32 record_candidates = 0;

/* Sized by the loader (a page while records are off). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} exit_records SEC(".maps");

/* Records the ring had no room for, by enum execmond_record_kind; summed over CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXECMOND_RECORD_KINDS);
	__type(key, __u32);
	__type(value, __u64);
} exit_record_drops SEC(".maps");

_Static_assert(sizeof(struct exit_usage) == EXECMOND_EXIT_USAGE_WORDS * 8,
	       "a record's usage is a struct exit_usage");

/* Why the exit with wait status `status` has a record, or -1 when it has none. */
static __always_inline int exit_record_kind(__u32 status, __u8 oom)
{
	__u32 signal = status & 0x7f;

	/* As the exits' reason label has it: a victim that died of the killer's SIGKILL. */
	if (oom != EXECMOND_OOM_NONE && status == 9)
		return EXECMOND_RECORD_OOM_KILLED;
	if (status & 0x80)
		return EXECMOND_RECORD_CORE_DUMPED;
	if (signal && (record_signals >> (signal & 63)) & 1)
		return EXECMOND_RECORD_CRASHED;
	if (record_candidates == EXECMOND_CANDIDATES_NONE)
		return -1;
	if (status != 0)
		return EXECMOND_RECORD_FAILED;
	return record_candidates == EXECMOND_CANDIDATES_ALL ? EXECMOND_RECORD_EXITED : -1;
}

/*
 * Sends the record of an exit whose key, process key, origin and usage the
 * exit handler has at hand; `usage` is NULL when no resource is accounted.
 */
static __always_inline void exit_record_send(int kind, struct task_struct *task,
					     const struct execmond_count_key *key,
					     const struct execmond_proc_key *pkey, __u64 cmdline_id,
					     __u64 now, const struct exit_usage *usage)
{
	struct task_struct *parent = task->real_parent;
	struct execmond_exit_record *r;
	__u32 index = kind;

	r = bpf_ringbuf_reserve(&exit_records, sizeof(*r), 0);
	if (!r) {
		__u64 *n = bpf_map_lookup_elem(&exit_record_drops, &index);

		if (n)
			*n += 1;
		return;
	}
	r->start_boottime_ns = pkey->start_boottime_ns;
	r->exit_boottime_ns = now;
	r->cgroup_id = key->cgroup_id;
	if (record_reads_mm) {
		struct execmond_exe_key exe;

		exe_resolve(task, &exe);
		r->exe_ino = exe.ino;
		r->exe_dev = exe.dev;
		r->exe_generation = exe.generation;
		/* Its record goes through the cmdlines ring, which the drain reads first. */
		r->cmdline_id = record_cmdline ? cmdline_capture(task) : 0;
	} else {
		r->exe_ino = key->exe_ino;
		r->exe_dev = key->exe_dev;
		r->exe_generation = key->exe_generation;
		r->cmdline_id = cmdline_id;
	}
	r->tgid = pkey->tgid;
	r->ppid = parent ? parent->tgid : 0;
	r->uid = key->uid;
	r->status = key->status;
	r->kind = kind;
	r->oom = key->oom;
	__builtin_memset(r->pad, 0, sizeof(r->pad));
	__builtin_memcpy(r->comm, key->comm, sizeof(r->comm));
	if (parent)
		bpf_probe_read_kernel(r->parent_comm, sizeof(r->parent_comm), parent->comm);
	else
		__builtin_memset(r->parent_comm, 0, sizeof(r->parent_comm));
	if (usage)
		__builtin_memcpy(r->usage, usage, sizeof(r->usage));
	else
		__builtin_memset(r->usage, 0, sizeof(r->usage));
	/* Nobody waits on the ring: the drain reads it on its timer. */
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
}

#endif /* EXECMOND_BPF_EXIT_RECORD_BPF_H */
