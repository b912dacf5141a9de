// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * execmond's kernel side: counts execs, forks and exits per command name and
 * keeps one procs entry per live process; when the loader asks, also per
 * command line and parent (cmdline.bpf.h, proc_origin.bpf.h).
 *
 * The handlers run on every fork, exec and exit of the host, so they are
 * built around what costs there: cache lines that are not already hot, and
 * calls into the kernel (helpers, hash-map operations with their locks).
 * They read task fields through BTF pointers (plain loads, no helper), keep
 * their state in array maps they index themselves (the verifier inlines the
 * lookups), and touch about one line per table: a counts slot, a per-CPU
 * counts value, a procs slot. Claims are compare-and-swap, so there are no
 * locks and no helper calls on the hot path.
 *
 * Counts come in two generations: every drain the daemon flips `generation`,
 * waits an RCU grace period so no handler still writes the old one, then
 * reads and empties it. Each event is read exactly once, and whatever cannot
 * be recorded is counted in `lost` by reason.
 *
 * Two program sets exist for each hook; the loader enables one before load:
 * tp_btf (BTF-typed, no tracefs) and, as the fallback, classic tracepoints for
 * exec and exit and raw_tp for fork (the classic fork payload lacks the
 * child's tgid, so it cannot tell a thread from a process).
 */
#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "execmond.h"
#include "histogram_bucket.h"
#include "core_fixes.bpf.h"
#include "cgroup_changes.bpf.h"
#include "cmdline.bpf.h"
#include "counts_table.bpf.h"
#include "exe_path.bpf.h"
#include "exit_cost.bpf.h"
#include "exit_record.bpf.h"
#include "filters.bpf.h"
#include "lost.bpf.h"
#include "oom.bpf.h"
#include "proc_origin.bpf.h"
#include "procs_table.bpf.h"
#include "reap_cost.bpf.h"
#include "task_reads.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader between open and load. */
const volatile __u64 lifetime_bounds_ns[EXECMOND_MAX_BUCKETS] = {};
const volatile __u32 lifetime_bucket_count = 0;

/* Only an ordering point for the task iterator. */
__u64 seed_passes = 0;

/* Forks and execs count one event with nothing more to add. */
static const struct count_event no_payload = {};

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child,
				   int child_typed)
{
	struct execmond_count_key key = { .kind = EXECMOND_KIND_FORK };
	struct execmond_proc_origin forker = {}, born = {};
	struct new_task task;
	__u64 parent_cgroup;

	read_new_task(child, child_typed, &task);
	/* A new thread shares its parent's tgid: not a process. */
	if (task.pid != task.tgid || (task.flags & EXECMOND_PF_KTHREAD))
		return 0;
	/* The child starts as a copy of the forking thread: same comm, uid and executable. */
	__builtin_memcpy(key.comm, parent->comm, sizeof(key.comm));
	who_is(parent, &key);
	parent_cgroup = key.cgroup_id;
	key.cgroup_id = new_process_cgroup(parent, child, child_typed, parent_cgroup);
	if (record_exe) {
		struct execmond_exe_key exe;

		exe_key_of(parent, &exe);
		key.exe_ino = exe.ino;
		key.exe_dev = exe.dev;
		key.exe_generation = exe.generation;
	}
	if (origin_kept()) {
		/* Same memory, same command line; the forking process's name is the child's parent. */
		proc_origin_of(parent->tgid, parent->group_leader->start_boottime, &forker);
		born.cmdline_id = forker.cmdline_id;
		if (record_parent)
			__builtin_memcpy(born.parent, parent->group_leader->comm, sizeof(born.parent));
	}
	if (!proc_insert(task.tgid, task.start_boottime, &key, &born))
		lost_count(EXECMOND_LOST_PROCS_FULL);
	/* The fork is the parent's act: counted under its process's name, cgroup and origin. */
	__builtin_memcpy(key.comm, parent->group_leader->comm, sizeof(key.comm));
	key.cgroup_id = parent_cgroup;
	if (origin_kept())
		origin_to_key(&forker, &key);
	if (!filter_drops(parent->tgid, &key))
		counts_add(&key, &no_payload, EXECMOND_LOST_FORK_COUNTS_FULL);
	return 0;
}

static __always_inline int on_exec(struct task_struct *task)
{
	struct execmond_count_key key = { .kind = EXECMOND_KIND_EXEC };
	struct execmond_proc_key pkey = { .tgid = task->tgid, .start_boottime_ns = start_boottime(task) };
	struct execmond_proc_origin origin = {};
	struct execmond_proc_value *v = NULL;
	struct execmond_proc *p;
	__u64 cmdline_id = 0;
	__u32 at;

	/* First, while little else is live: the verifier walks its loops once per state here. */
	if (capture_cmdline)
		cmdline_id = cmdline_capture(task); /* its record is sent before its count */
	/*
	 * Running before the handlers were attached: renamed in procs_seeded
	 * (the task iterator, if it has yet to reach the process, reads the new
	 * name itself). A process with no room at fork stays untracked: it was
	 * counted as lost then.
	 */
	p = proc_find(pkey.tgid, pkey.start_boottime_ns, &at);
	if (!p)
		v = bpf_map_lookup_elem(&procs_seeded, &pkey);
	/* After exec the task leads its group, also when a non-leader thread exec'd. */
	__builtin_memcpy(key.comm, task->comm, sizeof(key.comm));
	who_is(task, &key);
	if (record_exe)
		exe_note(task, &key);
	if (origin_kept()) {
		/* The parent stays; the command line is the new program's ("an exec renames"). */
		if (p)
			proc_origin_at(at, &origin);
		else if (v)
			proc_origin_seeded(v, &origin);
		origin.cmdline_id = cmdline_id;
		origin_to_key(&origin, &key);
	}
	if (!filter_drops(pkey.tgid, &key))
		counts_add(&key, &no_payload, EXECMOND_LOST_EXEC_COUNTS_FULL);
	if (p)
		proc_rename(p, at, &key, &origin);
	else if (v)
		proc_seeded_value(v, &key, &origin);
	return 0;
}

/* The status the parent's waitpid() reports, as wait_task_zombie() computes it. */
static __always_inline __u32 wait_status(struct task_struct *leader, struct signal_struct *sig)
{
	if (sig->flags & EXECMOND_SIGNAL_GROUP_EXIT)
		return sig->group_exit_code;
	return leader->exit_code;
}

/*
 * Takes the process out of the procs table (or procs_seeded) and returns 1
 * if this thread is the one to count its exit. Its executable and origin
 * (and the command line's id, for its record) come from the entry: the mm
 * is gone by now.
 */
static __always_inline int end_process(const struct execmond_proc_key *pkey, int group_dead,
				       struct execmond_count_key *key, __u64 *cmdline_id)
{
	__u32 at;
	struct execmond_proc *p = proc_find(pkey->tgid, pkey->start_boottime_ns, &at);
	struct execmond_proc_origin origin = {};
	struct execmond_proc_value *v;

	if (p) {
		__u64 state = p->state;

		key->exe_ino = p->exe_ino;
		key->exe_dev = p->exe_dev;
		key->exe_generation = p->exe_generation;
		if (origin_kept()) {
			proc_origin_at(at, &origin);
			origin_to_key(&origin, key);
			*cmdline_id = origin.cmdline_id;
		}
		/* Where two threads race to be last (group_dead < 0), the swap elects one. */
		return proc_remove(p, at, state);
	}
	v = bpf_map_lookup_elem(&procs_seeded, pkey);
	if (v) {
		key->exe_ino = v->exe_ino;
		key->exe_dev = v->exe_dev;
		key->exe_generation = v->exe_generation;
		proc_origin_seeded(v, &origin);
		origin_to_key(&origin, key);
		*cmdline_id = origin.cmdline_id;
	}
	/* Untracked: counted as procs_map_full at fork; only group_dead can elect then. */
	return bpf_map_delete_elem(&procs_seeded, pkey) == 0 || group_dead > 0;
}

/*
 * Called for every exiting thread; group_dead is 1 for the last one, 0 for
 * the others, and -1 where the kernel does not say (before 6.16).
 */
static __always_inline int on_exit(struct task_struct *task, int group_dead)
{
	struct task_struct *leader = task->group_leader;
	struct signal_struct *sig = task->signal;
	/*
	 * The key and the usage where the reap's wait keeps them (reap_cost.bpf.h),
	 * so that nothing is copied there: the exit's stack is near its bound.
	 */
	struct reap_cost rc;
	struct execmond_count_key *key = &rc.key;
	struct exit_usage *usage = &rc.counted;
	struct count_event ev = {};
	struct execmond_proc_key pkey;
	__u64 cmdline_id = 0;
	__u64 now;
	int record;

	if (group_dead == 0 || is_kernel_thread(task))
		return 0;
	/*
	 * Older kernels: signal->live was decremented before the tracepoint, so it
	 * is 0 for the last thread, but a thread racing the last one may see 0
	 * too; end_process() elects one of them.
	 */
	if (group_dead < 0 && sig->live.counter != 0)
		return 0;
	__builtin_memset(key, 0, sizeof(*key));
	key->kind = EXECMOND_KIND_EXIT;
	pkey.tgid = leader->tgid;
	pkey.pad = 0;
	pkey.start_boottime_ns = start_boottime(leader);
	if (!end_process(&pkey, group_dead, key, &cmdline_id))
		return 0;

	now = bpf_ktime_get_boot_ns();
	ev.lifetime_ns = now - pkey.start_boottime_ns;
	__builtin_memcpy(key->comm, leader->comm, sizeof(key->comm));
	who_is(task, key);
	key->status = wait_status(leader, sig);
	oom_await_mark(task, leader, key->status);
	/* Also for a filtered-out victim: its oom_victims entry must go. */
	key->oom = oom_verdict(task, sig);
	if (filter_drops(pkey.tgid, key))
		return 0;
	key->bucket = execmond_histogram_bucket(lifetime_bounds_ns, EXECMOND_MAX_BUCKETS,
						lifetime_bucket_count, ev.lifetime_ns);
	if (resources)
		usage_read_exit(usage, task, sig);
	/* Before the reap's wait takes the CPU time over: a record holds it as the exit read it. */
	if (records_on) {
		record = exit_record_kind(key->status, key->oom);
		if (record >= 0)
			exit_record_send(record, task, key, &pkey, cmdline_id, now,
					 resources ? usage : NULL);
	}
	if (resources) {
		reap_cost_wait(leader, &rc, now);
		ev.usage = usage;
	}
	counts_add(key, &ev, EXECMOND_LOST_EXIT_COUNTS_FULL);
	return 0;
}

/* ---- BTF-typed tracepoints (preferred) ---- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_fork, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child, 1);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_btf_exec, struct task_struct *p)
{
	return on_exec(p);
}

SEC("tp_btf/sched_process_exit")
int tp_btf_exit(__u64 *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx[0];

	if (core_reports_group_dead())
		return on_exit(p, (_Bool)ctx[1]);
	return on_exit(p, -1);
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(tp_btf_cgroup_mkdir, struct cgroup *cgrp)
{
	return record_cgroup_change(cgrp, EXECMOND_CGROUP_MKDIR);
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(tp_btf_cgroup_rmdir, struct cgroup *cgrp)
{
	return record_cgroup_change(cgrp, EXECMOND_CGROUP_RMDIR);
}

/* Attached only when resources are accounted (see reap_cost.bpf.h). */
SEC("tp_btf/sched_process_free")
int BPF_PROG(tp_btf_free, struct task_struct *p)
{
	return reap_cost_add(p, 1);
}

/* ---- fallback: classic tracepoints, and raw_tp for fork, free and cgroups ---- */

SEC("raw_tp/sched_process_fork")
int BPF_PROG(raw_tp_fork, struct task_struct *parent, struct task_struct *child)
{
	/* The parent is the current task, which has a BTF pointer; the raw child does not. */
	return on_fork(bpf_get_current_task_btf(), child, 0);
}

SEC("raw_tp/cgroup_mkdir")
int BPF_PROG(raw_tp_cgroup_mkdir, struct cgroup *cgrp)
{
	return record_cgroup_change(cgrp, EXECMOND_CGROUP_MKDIR);
}

SEC("raw_tp/cgroup_rmdir")
int BPF_PROG(raw_tp_cgroup_rmdir, struct cgroup *cgrp)
{
	return record_cgroup_change(cgrp, EXECMOND_CGROUP_RMDIR);
}

/* The classic sched_process_free payload has no task to read the signal struct from. */
SEC("raw_tp/sched_process_free")
int BPF_PROG(raw_tp_free, struct task_struct *p)
{
	return reap_cost_add(p, 0);
}

SEC("tracepoint/sched/sched_process_exec")
int tracepoint_exec(void *ctx)
{
	return on_exec(bpf_get_current_task_btf());
}

SEC("tracepoint/sched/sched_process_exit")
int tracepoint_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	struct task_struct *p = bpf_get_current_task_btf();

	if (core_reports_group_dead())
		return on_exit(p, ctx->group_dead);
	return on_exit(p, -1);
}

/* ---- seeding: processes already running when the daemon starts ---- */

/*
 * Runs after the handlers are attached (twice: see Tracer). A task that
 * wake_up_new_task() has not started is skipped: its fork event is still to
 * come, or came so late that the second pass finds it. Any other task's fork
 * event has been handled already, so a process the procs table lacks was
 * forked before the handlers were attached and belongs in procs_seeded.
 */
SEC("iter/task")
int seed_procs(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct execmond_count_key who = {};
	struct execmond_proc_origin origin = {};
	struct execmond_proc_key pkey = {};
	__u32 at;

	if (!task || task->pid != task->tgid || is_kernel_thread(task) ||
	    (core_task_state(task) & EXECMOND_TASK_NEW))
		return 0;
	/* A group whose last thread is exiting is left to the exit handler. */
	if (task->signal->live.counter == 0)
		return 0;
	/* Orders the state read before the table reads, as the fork handler ran before the wake-up. */
	procs_fetch_add_ordered(&seed_passes, 0);
	pkey.tgid = task->tgid;
	pkey.start_boottime_ns = start_boottime(task);
	if (proc_find(pkey.tgid, pkey.start_boottime_ns, &at) ||
	    bpf_map_lookup_elem(&procs_seeded, &pkey))
		return 0;
	__builtin_memcpy(who.comm, task->comm, sizeof(who.comm));
	who_is(task, &who);
	if (record_exe)
		exe_note(task, &who);
	/* Its command line's id is filled in by the daemon (CmdlineSeeder), from /proc. */
	if (record_parent)
		__builtin_memcpy(origin.parent, task->real_parent->group_leader->comm,
				 sizeof(origin.parent));
	if (!proc_seeded_add(&pkey, &who, &origin)) {
		lost_count(EXECMOND_LOST_PROCS_FULL);
		return 0;
	}
	/*
	 * The last thread may have begun exiting since the check above, and its
	 * exit handler found no entry to remove. Each side writes, then reads
	 * what the other writes, with a full barrier between: the exit handler's
	 * atomic_dec_and_test() of live comes before its delete, this insert
	 * before the read of live below. So at least one sees the other: the
	 * handler removes the entry, or this finds live at 0 and removes it.
	 * Both may: the map's delete lets only one of them succeed.
	 */
	procs_fetch_add_ordered(&seed_passes, 0);
	if (task->signal->live.counter == 0)
		bpf_map_delete_elem(&procs_seeded, &pkey);
	return 0;
}

/*
 * Run by the daemon for each seeded process, with the id of its
 * /proc/PID/cmdline (SeededCmdlines). In place and only over 0, so that an
 * exec since seeding, whose handler wrote the new program's id into the
 * entry, keeps it. Loaded only while command lines are captured.
 */
SEC("syscall")
int fill_seeded_cmdline(struct execmond_cmdline_fill *ctx)
{
	struct execmond_proc_key pkey = { .tgid = ctx->tgid,
					  .start_boottime_ns = ctx->start_boottime_ns };
	struct execmond_proc_value *v = bpf_map_lookup_elem(&procs_seeded, &pkey);

	if (!v)
		return EXECMOND_CMDLINE_FILL_GONE;
	if (__sync_val_compare_and_swap(&v->cmdline_id, 0, ctx->cmdline_id) != 0)
		return EXECMOND_CMDLINE_FILL_EXECED;
	return EXECMOND_CMDLINE_FILLED;
}
