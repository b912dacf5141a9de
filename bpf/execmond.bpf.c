// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * execmond's kernel side: counts execs, forks and exits per command name and
 * keeps one procs entry per live process.
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
#include "lifetime_bucket.h"

#define EEXIST 17

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader between open and load. */
const volatile __u64 lifetime_bounds_ns[EXECMOND_MAX_BUCKETS] = {};
const volatile __u32 lifetime_bucket_count = 0;
const volatile __u8 record_exe = 0; /* resolve executables (exe label or filter) */
const volatile __u32 ncpus = 1;     /* possible CPUs: rows of counts_values */
const volatile __u32 max_keys = 1;  /* values per CPU and generation */
const volatile __u32 key_slots = 1; /* counts_slots per generation, a power of two */
const volatile __u32 procs_mask = 0;  /* procs slots - 1, a power of two minus one */
const volatile __u32 dirty_words = 1; /* procs_dirty words per CPU and generation */

/* Which generation handlers write to; flipped by the daemon on every drain. */
volatile __u32 generation = 0;
/* Count keys claimed in each generation; more than max_keys means some were lost. */
__u32 keys_claimed[2] = {};
/* Only an ordering point for the task iterator. */
__u64 seed_passes = 0;

/* Filters, set by the daemon at start and on every reload. */
volatile __u32 filter_active = 0; /* enum execmond_filter_active */
volatile __u32 self_tgid = 0;     /* the daemon's own activity, when excluded */

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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* procs_mask + 1 */
	__type(key, __u32);
	__type(value, struct execmond_proc);
} procs SEC(".maps");

/* One bit per block of EXECMOND_PROCS_PER_DIRTY_BIT procs slots a handler changed. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2); /* 2 * ncpus * dirty_words */
	__type(key, __u32);
	__type(value, __u64);
} procs_dirty SEC(".maps");

/*
 * Processes found running at start-up. Only their execs and exits touch it: a
 * hash map keeps the seeding race-free, and its cost does not matter there.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH); /* preallocated: tracing programs on 5.x need that */
	__uint(max_entries, 32768);      /* resized by the loader */
	__type(key, struct execmond_proc_key);
	__type(value, struct execmond_proc_value);
} procs_seeded SEC(".maps");

/* Executable paths by file; read by the daemon to label exe. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct execmond_exe_key);
	__type(value, struct execmond_exe_path);
} exe_paths SEC(".maps");

/* Room to build a path from its last component backwards. */
struct path_scratch {
	char buf[2 * EXECMOND_PATH_LEN];
	struct execmond_exe_path out;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_scratch);
} scratch SEC(".maps");

/* Filter rules: value is enum execmond_filter_flags. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, char[EXECMOND_COMM_LEN]);
	__type(value, __u8);
} filter_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} filter_uid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct execmond_exe_key);
	__type(value, __u8);
} filter_exe SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64); /* cgroup id of a prefix directory: matches its whole subtree */
	__type(value, __u8);
} filter_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXECMOND_LOST_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void count_lost(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&lost, &reason);

	if (n)
		*n += 1;
}

/*
 * Adds to an atomic word and orders every access before and after it, on all
 * architectures: the fetching form is a full barrier (arm64's plain atomic
 * add is not), and using its result keeps clang from emitting the other.
 */
static __always_inline __u64 fetch_add_ordered(__u64 *word, __u64 delta)
{
	__u64 old = __sync_fetch_and_add(word, delta);

	barrier_var(old);
	return old;
}

/* A 64-bit finalizer (murmur3's), folded to 32 bits. */
static __always_inline __u32 mix(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (__u32)x;
}

/* ---- the counts table ---- */

static __always_inline __u32 key_hash(const struct execmond_count_key *key)
{
	const __u64 *w = (const __u64 *)key;
	__u64 h = 0;

	for (int i = 0; i < sizeof(*key) / 8; i++)
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
	return mix(h);
}

static __always_inline int same_key(const struct execmond_count_key *a,
				    const struct execmond_count_key *b)
{
	const __u64 *x = (const __u64 *)a;
	const __u64 *y = (const __u64 *)b;

	for (int i = 0; i < sizeof(*a) / 8; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/* This CPU's value for `index`: no other CPU writes it, the daemon reads it after a grace period. */
static __always_inline void add_value(__u32 gen, __u32 index, __u64 lifetime_ns)
{
	__u32 at = (gen * ncpus + bpf_get_smp_processor_id()) * max_keys + index;
	struct execmond_count_value *v = bpf_map_lookup_elem(&counts_values, &at);

	if (v) {
		v->count += 1;
		v->lifetime_ns_sum += lifetime_ns;
	}
}

/* Fills a slot this handler claimed (tag BUSY): key, value index, then the tag. */
static __always_inline void claim(struct execmond_count_slot *s, __u32 at, __u32 gen, __u64 tag,
				  const struct execmond_count_key *key, __u64 lifetime_ns,
				  __u32 lost_reason)
{
	struct execmond_count_key *key_of;
	__u32 index, *slot_of;
	__u32 where;

	s->key = *key;
	index = __sync_fetch_and_add(&keys_claimed[gen & 1], 1);
	if (index >= max_keys) {
		/* Later events with this key stop here and are counted as lost too. */
		__sync_lock_test_and_set(&s->tag, tag | EXECMOND_SLOT_FULL);
		count_lost(lost_reason);
		return;
	}
	where = gen * max_keys + index;
	key_of = bpf_map_lookup_elem(&counts_keys, &where);
	if (key_of)
		*key_of = *key;
	slot_of = bpf_map_lookup_elem(&counts_index, &where);
	if (slot_of)
		*slot_of = at;
	add_value(gen, index, lifetime_ns);
	/* An atomic exchange orders the key before the tag for other CPUs. */
	__sync_lock_test_and_set(&s->tag, tag | (index + 1));
}

/*
 * Adds one event to its key's count. Two CPUs that claim a new key at once
 * may each get a slot for it; the daemon adds such duplicates together.
 */
static __always_inline void count(const struct execmond_count_key *key, __u64 lifetime_ns,
				  __u32 lost_reason)
{
	__u32 gen = generation & 1;
	__u32 hash = key_hash(key);
	__u64 tag = (__u64)hash << 32;

	for (__u32 probe = 0; probe < EXECMOND_COUNT_PROBES; probe++) {
		__u32 at = gen * key_slots + ((hash + probe) & (key_slots - 1));
		struct execmond_count_slot *s = bpf_map_lookup_elem(&counts_slots, &at);
		__u64 seen;
		__u32 state;

		if (!s)
			break;
		seen = s->tag;
		if (seen == 0) {
			if (__sync_val_compare_and_swap(&s->tag, 0, tag | EXECMOND_SLOT_BUSY) != 0)
				continue; /* claimed by another CPU meanwhile */
			claim(s, at, gen, tag, key, lifetime_ns, lost_reason);
			return;
		}
		state = (__u32)seen;
		if ((seen >> 32) != hash || state == EXECMOND_SLOT_BUSY || !same_key(&s->key, key))
			continue;
		if (state == EXECMOND_SLOT_FULL)
			break;
		add_value(gen, state - 1, lifetime_ns);
		return;
	}
	count_lost(lost_reason);
}

/* ---- the procs table ---- */

/*
 * A process's first slot. PIDs are handed out in sequence, so 64 neighbours
 * share a 4 KiB block (hot in the cache and TLB in a spawn storm); blocks are
 * scattered so that a run of live PIDs does not make long probe chains.
 */
static __always_inline __u32 proc_home(__u32 tgid)
{
	return ((tgid % EXECMOND_PROCS_PER_DIRTY_BIT) |
		(mix(tgid / EXECMOND_PROCS_PER_DIRTY_BIT) * EXECMOND_PROCS_PER_DIRTY_BIT)) &
	       procs_mask;
}

static __always_inline struct execmond_proc *proc_at(__u32 home, __u32 probe, __u32 *at)
{
	*at = (home + probe) & procs_mask;
	return bpf_map_lookup_elem(&procs, at);
}

/* Tells the daemon that the block holding slot `at` changed. */
static __always_inline void mark_dirty(__u32 at)
{
	__u32 block = at / EXECMOND_PROCS_PER_DIRTY_BIT;
	__u32 word = ((generation & 1) * ncpus + bpf_get_smp_processor_id()) * dirty_words +
		     block / 64;
	__u64 *bits = bpf_map_lookup_elem(&procs_dirty, &word);

	if (bits)
		*bits |= 1ULL << (block % 64);
}

static __always_inline void set_who(struct execmond_proc *p, const struct execmond_count_key *who)
{
	__builtin_memcpy(p->comm, who->comm, sizeof(p->comm));
	p->cgroup_id = who->cgroup_id;
	p->exe_ino = who->exe_ino;
	p->exe_dev = who->exe_dev;
	p->uid = who->uid;
}

/* The slot of process (tgid, start), or NULL; `at` is its index. */
static __always_inline struct execmond_proc *proc_find(__u32 tgid, __u64 start, __u32 *at)
{
	__u32 home = proc_home(tgid);

	for (__u32 probe = 0; probe < EXECMOND_PROC_PROBES; probe++) {
		struct execmond_proc *p = proc_at(home, probe, at);
		__u32 held;

		if (!p)
			break;
		held = (__u32)p->state;
		if (held == EXECMOND_PROC_EMPTY)
			break;
		if (held == tgid && p->start_boottime_ns == start)
			return p;
	}
	return NULL;
}

/* Adds a new process; 0 when no slot was free within the probe limit. */
static __always_inline int proc_insert(__u32 tgid, __u64 start, const struct execmond_count_key *who)
{
	__u32 home = proc_home(tgid);

	for (__u32 probe = 0; probe < EXECMOND_PROC_PROBES; probe++) {
		__u32 at;
		struct execmond_proc *p = proc_at(home, probe, &at);
		__u64 state, writing;

		if (!p)
			break;
		state = p->state;
		if ((__u32)state != EXECMOND_PROC_EMPTY && (__u32)state != EXECMOND_PROC_DELETED)
			continue;
		/* The claim makes the sequence odd: the daemon skips the slot until it is even. */
		writing = ((state & ~0xffffffffULL) + (1ULL << 32)) | tgid;
		if (__sync_val_compare_and_swap(&p->state, state, writing) != state)
			continue;
		p->start_boottime_ns = start;
		set_who(p, who);
		fetch_add_ordered(&p->state, 1ULL << 32);
		mark_dirty(at);
		return 1;
	}
	return 0;
}

/* ---- reading tasks ---- */

static __always_inline __u64 start_boottime(struct task_struct *task)
{
	if (bpf_core_field_exists(task->start_boottime))
		return task->start_boottime;
	return ((struct task_struct___pre_5_5 *)task)->real_start_time;
}

/* Kernel threads run no program: they are not what execmond counts. */
static __always_inline int is_kernel_thread(struct task_struct *task)
{
	return task->flags & EXECMOND_PF_KTHREAD;
}

/* The labels' ids of a running task: cgroup and uid (exe is the caller's). */
static __always_inline void who_is(struct task_struct *task, struct execmond_count_key *key)
{
	/* What bpf_get_current_cgroup_id() and bpf_get_current_uid_gid() return, without a call. */
	key->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	key->uid = task->cred->uid.val;
}

/* ---- executables ---- */

static __always_inline void exe_key_of(struct task_struct *task, struct execmond_exe_key *key)
{
	struct mm_struct *mm = task->mm;
	struct file *exe = mm ? mm->exe_file : NULL;

	key->ino = exe ? exe->f_inode->i_ino : 0;
	key->dev = exe ? exe->f_inode->i_sb->s_dev : 0;
	key->pad = 0;
}

#define PATH_MASK (EXECMOND_PATH_LEN - 1)
#define MAX_PATH_DEPTH 32

/*
 * Stores the absolute path of `exe` in exe_paths, as d_path() would: from the
 * file's dentry up to its mount's root, then across mount points to the root
 * of the mount tree. Components are written backwards from the end of a
 * scratch buffer. A path deeper or longer than the limits keeps its last
 * components and loses the leading "/". Runs once per executable file.
 */
static __always_inline void record_exe_path(struct file *exe, const struct execmond_exe_key *key)
{
	__u32 zero = 0;
	struct path_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct dentry *dentry = BPF_CORE_READ(exe, f_path.dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(exe, f_path.mnt);
	struct mount *mnt =
		(struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	__u32 pos = EXECMOND_PATH_LEN - 1;

	if (!s)
		return;
	s->buf[pos] = 0;
	for (int i = 0; i < MAX_PATH_DEPTH; i++) {
		struct dentry *parent;
		const unsigned char *name;
		__u32 len;

		if (dentry == mnt_root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt)
				break; /* the root of the mount tree */
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
			continue;
		}
		parent = BPF_CORE_READ(dentry, d_parent);
		if (parent == dentry)
			break;
		len = BPF_CORE_READ(dentry, d_name.len);
		name = BPF_CORE_READ(dentry, d_name.name);
		if (len + 1 > pos)
			break; /* too long: keep the tail */
		pos -= len;
		bpf_probe_read_kernel(&s->buf[pos & PATH_MASK], len & PATH_MASK, name);
		pos -= 1;
		s->buf[pos & PATH_MASK] = '/';
		dentry = parent;
	}
	if (pos == EXECMOND_PATH_LEN - 1) {
		pos -= 1;
		s->buf[pos & PATH_MASK] = '/';
	}
	bpf_probe_read_kernel_str(s->out.path, sizeof(s->out.path), &s->buf[pos & PATH_MASK]);
	bpf_map_update_elem(&exe_paths, key, &s->out, BPF_ANY);
}

/* Fills the key's exe fields and makes sure the daemon can name the file. */
static __always_inline void note_exe(struct task_struct *task, struct execmond_count_key *who)
{
	struct execmond_exe_key exe;

	exe_key_of(task, &exe);
	who->exe_ino = exe.ino;
	who->exe_dev = exe.dev;
	if (exe.ino && !bpf_map_lookup_elem(&exe_paths, &exe))
		record_exe_path(task->mm->exe_file, &exe);
}

/* ---- filters ---- */

static __always_inline __u8 rule(void *map, const void *key)
{
	__u8 *flags = bpf_map_lookup_elem(map, key);

	return flags ? *flags : 0;
}

/* Whether the filters drop an event of the process `key` describes. */
static __always_inline int filtered_out(__u32 tgid, const struct execmond_count_key *key)
{
	__u32 active = filter_active;
	__u8 hits = 0;

	if (self_tgid != 0 && tgid == self_tgid)
		return 1;
	if (!active)
		return 0;
	if (active & EXECMOND_FILTER_COMM)
		hits |= rule(&filter_comm, key->comm);
	if (active & EXECMOND_FILTER_UID)
		hits |= rule(&filter_uid, &key->uid);
	if (active & EXECMOND_FILTER_EXE) {
		struct execmond_exe_key exe = { .ino = key->exe_ino, .dev = key->exe_dev };

		hits |= rule(&filter_exe, &exe);
	}
	if (active & EXECMOND_FILTER_CGROUP) {
		/* A prefix rule holds its directory's id, an ancestor of the whole subtree. */
		for (int level = 0; level < EXECMOND_MAX_CGROUP_DEPTH; level++) {
			__u64 id = bpf_get_current_ancestor_cgroup_id(level);

			if (id == 0)
				break;
			hits |= rule(&filter_cgroup, &id);
		}
	}
	if (hits & EXECMOND_FILTER_EXCLUDE)
		return 1;
	return (active & EXECMOND_FILTER_INCLUDE_IN_KERNEL) && !(hits & EXECMOND_FILTER_INCLUDE);
}

/* ---- procs_seeded: start-up processes and execs without an entry ---- */

static __always_inline void seeded_value(struct execmond_proc_value *v,
					 const struct execmond_count_key *who)
{
	__builtin_memcpy(v->comm, who->comm, sizeof(v->comm));
	v->cgroup_id = who->cgroup_id;
	v->exe_ino = who->exe_ino;
	v->exe_dev = who->exe_dev;
	v->uid = who->uid;
}

/* Adds a process to procs_seeded; 0 when the map is full. */
static __always_inline int seeded_add(const struct execmond_proc_key *pkey,
				      const struct execmond_count_key *who)
{
	struct execmond_proc_value v = {};
	long err;

	seeded_value(&v, who);
	err = bpf_map_update_elem(&procs_seeded, pkey, &v, BPF_NOEXIST);
	return err == 0 || err == -EEXIST;
}

/* ---- the three events ---- */

/*
 * `child_typed` is 1 when `child` is a BTF pointer (tp_btf) and 0 when it is
 * a raw one (raw_tp), which only probe reads may follow. Both arrive as
 * constants, so each program keeps only its own branch.
 */
#define CHILD(field) (child_typed ? child->field : BPF_CORE_READ(child, field))

static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child,
				   int child_typed)
{
	struct execmond_count_key key = { .kind = EXECMOND_KIND_FORK };
	__u32 tgid = CHILD(tgid);

	/* A new thread shares its parent's tgid: not a process. */
	if (CHILD(pid) != tgid || (CHILD(flags) & EXECMOND_PF_KTHREAD))
		return 0;
	/* The child starts as a copy of the forking thread: same comm, cgroup, uid, executable. */
	__builtin_memcpy(key.comm, parent->comm, sizeof(key.comm));
	who_is(parent, &key);
	if (record_exe) {
		struct execmond_exe_key exe;

		exe_key_of(parent, &exe);
		key.exe_ino = exe.ino;
		key.exe_dev = exe.dev;
	}
	if (!proc_insert(tgid, CHILD(start_boottime), &key))
		count_lost(EXECMOND_LOST_PROCS_FULL);
	/* Counted under the parent process's name, which a thread may not share. */
	__builtin_memcpy(key.comm, parent->group_leader->comm, sizeof(key.comm));
	if (!filtered_out(parent->tgid, &key))
		count(&key, 0, EXECMOND_LOST_FORK_COUNTS_FULL);
	return 0;
}

static __always_inline int on_exec(struct task_struct *task)
{
	struct execmond_count_key key = { .kind = EXECMOND_KIND_EXEC };
	struct execmond_proc_key pkey = { .tgid = task->tgid, .start_boottime_ns = start_boottime(task) };
	struct execmond_proc *p;
	__u32 at;

	/* After exec the task leads its group, also when a non-leader thread exec'd. */
	__builtin_memcpy(key.comm, task->comm, sizeof(key.comm));
	who_is(task, &key);
	if (record_exe)
		note_exe(task, &key);
	if (!filtered_out(pkey.tgid, &key))
		count(&key, 0, EXECMOND_LOST_EXEC_COUNTS_FULL);

	p = proc_find(pkey.tgid, pkey.start_boottime_ns, &at);
	if (!p) {
		/*
		 * Running before the handlers were attached: renamed in procs_seeded
		 * (the task iterator, if it has yet to reach the process, reads the
		 * new name itself). A process with no room at fork stays untracked:
		 * it was counted as lost then.
		 */
		struct execmond_proc_value *v = bpf_map_lookup_elem(&procs_seeded, &pkey);

		if (v)
			seeded_value(v, &key);
		return 0;
	}
	/* Odd while renaming: the daemon skips the slot, and sees the block dirty next drain. */
	fetch_add_ordered(&p->state, 1ULL << 32);
	set_who(p, &key);
	fetch_add_ordered(&p->state, 1ULL << 32);
	mark_dirty(at);
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
 * if this thread is the one to count its exit. Its executable comes from the
 * entry: the mm is gone by now.
 */
static __always_inline int end_process(const struct execmond_proc_key *pkey, int group_dead,
				       struct execmond_count_key *key)
{
	__u32 at;
	struct execmond_proc *p = proc_find(pkey->tgid, pkey->start_boottime_ns, &at);
	struct execmond_proc_value *v;

	if (p) {
		__u64 state = p->state;

		key->exe_ino = p->exe_ino;
		key->exe_dev = p->exe_dev;
		/* Where two threads race to be last (group_dead < 0), the swap elects one. */
		if (__sync_val_compare_and_swap(&p->state, state,
						(state & ~0xffffffffULL) | EXECMOND_PROC_DELETED) !=
		    state)
			return 0;
		mark_dirty(at);
		return 1;
	}
	v = bpf_map_lookup_elem(&procs_seeded, pkey);
	if (v) {
		key->exe_ino = v->exe_ino;
		key->exe_dev = v->exe_dev;
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
	struct execmond_count_key key = { .kind = EXECMOND_KIND_EXIT };
	struct execmond_proc_key pkey;
	__u64 lifetime;

	if (group_dead == 0 || is_kernel_thread(task))
		return 0;
	/*
	 * Older kernels: signal->live was decremented before the tracepoint, so it
	 * is 0 for the last thread, but a thread racing the last one may see 0
	 * too; end_process() elects one of them.
	 */
	if (group_dead < 0 && sig->live.counter != 0)
		return 0;
	pkey.tgid = leader->tgid;
	pkey.pad = 0;
	pkey.start_boottime_ns = start_boottime(leader);
	if (!end_process(&pkey, group_dead, &key))
		return 0;

	lifetime = bpf_ktime_get_boot_ns() - pkey.start_boottime_ns;
	__builtin_memcpy(key.comm, leader->comm, sizeof(key.comm));
	who_is(task, &key);
	if (filtered_out(pkey.tgid, &key))
		return 0;
	key.status = wait_status(leader, sig);
	key.bucket = execmond_lifetime_bucket(lifetime_bounds_ns, lifetime_bucket_count, lifetime);
	count(&key, lifetime, EXECMOND_LOST_EXIT_COUNTS_FULL);
	return 0;
}

/* 6.16 added group_dead to sched_process_exit; this tells whether it is there. */
static __always_inline int kernel_reports_group_dead(void)
{
	return bpf_core_field_exists(struct trace_event_raw_sched_process_exit, group_dead);
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

	if (kernel_reports_group_dead())
		return on_exit(p, (_Bool)ctx[1]);
	return on_exit(p, -1);
}

/* ---- fallback: classic tracepoints, and raw_tp for fork ---- */

SEC("raw_tp/sched_process_fork")
int BPF_PROG(raw_tp_fork, struct task_struct *parent, struct task_struct *child)
{
	/* The parent is the current task, which has a BTF pointer; the raw child does not. */
	return on_fork(bpf_get_current_task_btf(), child, 0);
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

	if (kernel_reports_group_dead())
		return on_exit(p, ctx->group_dead);
	return on_exit(p, -1);
}

/* ---- seeding: processes already running when the daemon starts ---- */

static __always_inline unsigned int task_state(struct task_struct *task)
{
	if (bpf_core_field_exists(task->__state))
		return task->__state;
	return ((struct task_struct___pre_5_14 *)task)->state;
}

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
	struct execmond_proc_key pkey = {};
	__u32 at;

	if (!task || task->pid != task->tgid || is_kernel_thread(task) ||
	    (task_state(task) & EXECMOND_TASK_NEW))
		return 0;
	/* A group whose last thread is exiting is left to the exit handler. */
	if (task->signal->live.counter == 0)
		return 0;
	/* Orders the state read before the table reads, as the fork handler ran before the wake-up. */
	fetch_add_ordered(&seed_passes, 0);
	pkey.tgid = task->tgid;
	pkey.start_boottime_ns = start_boottime(task);
	if (proc_find(pkey.tgid, pkey.start_boottime_ns, &at) ||
	    bpf_map_lookup_elem(&procs_seeded, &pkey))
		return 0;
	__builtin_memcpy(who.comm, task->comm, sizeof(who.comm));
	who_is(task, &who);
	if (record_exe)
		note_exe(task, &who);
	if (!seeded_add(&pkey, &who))
		count_lost(EXECMOND_LOST_PROCS_FULL);
	return 0;
}
