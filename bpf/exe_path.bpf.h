/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Executables: the (inode, device) that labels and filters name a file by,
 * and its absolute path, resolved in the kernel once per file for the daemon.
 */
#ifndef EXECMOND_BPF_EXE_PATH_BPF_H
#define EXECMOND_BPF_EXE_PATH_BPF_H

#include "core_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "core_fixes.bpf.h"
#include "execmond.h"

const volatile __u8 record_exe = 0; /* resolve executables (exe label or filter) */

/* Executable paths by file; read by the daemon to label exe. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct execmond_exe_key);
	__type(value, struct execmond_exe_path);
} exe_paths SEC(".maps");

/*
 * Read by the daemon; rare, so atomics. Failures: paths that could not be
 * stored (no free LRU node, or a bucket lock held on this CPU). Rewrites:
 * paths resolved anew for a file already in the map, which tell the daemon
 * that the paths it holds may be out of date.
 */
__u64 exe_paths_update_failures = 0;
__u64 exe_paths_rewrites = 0;

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

static __always_inline void exe_key_of(struct task_struct *task, struct execmond_exe_key *key)
{
	struct mm_struct *mm = task->mm;
	struct file *exe = mm ? mm->exe_file : NULL;

	key->ino = exe ? exe->f_inode->i_ino : 0;
	key->dev = exe ? exe->f_inode->i_sb->s_dev : 0;
	key->generation = exe ? exe->f_inode->i_generation : 0;
}

#define PATH_MASK (EXECMOND_PATH_LEN - 1)
#define MAX_PATH_DEPTH 32

/*
 * Stores the absolute path of `exe` in exe_paths, as d_path() would: from the
 * file's dentry up to its mount's root, then across mount points to the root
 * of the mount tree. Components are written backwards from the end of a
 * scratch buffer. A path deeper or longer than the limits keeps its last
 * components and loses the leading "/". Runs once per executable file and
 * status change of it.
 */
static __always_inline void exe_record_path(struct file *exe, const struct execmond_exe_key *key,
					   __u64 ctime_ns, int rewrite)
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
	s->out.ctime_ns = ctime_ns;
	if (bpf_map_update_elem(&exe_paths, key, &s->out, BPF_ANY) != 0)
		__sync_fetch_and_add(&exe_paths_update_failures, 1);
	else if (rewrite)
		__sync_fetch_and_add(&exe_paths_rewrites, 1);
}

/*
 * The identity of the task's executable, and makes sure the daemon can name
 * the file: resolves its path when the map lacks it, or holds it from before
 * the file's last status change (a rename, a chmod, or another file on a
 * file system whose inodes have no generation).
 */
static __always_inline void exe_resolve(struct task_struct *task, struct execmond_exe_key *exe)
{
	struct execmond_exe_path *known;
	struct file *file;
	__u64 ctime_ns;

	exe_key_of(task, exe);
	if (!exe->ino)
		return;
	file = task->mm->exe_file;
	ctime_ns = core_inode_ctime(file->f_inode);
	known = bpf_map_lookup_elem(&exe_paths, exe);
	if (!known || known->ctime_ns != ctime_ns)
		exe_record_path(file, exe, ctime_ns, known != NULL);
}

/* Fills the key's exe fields, the path resolved as exe_resolve() does. */
static __always_inline void exe_note(struct task_struct *task, struct execmond_count_key *who)
{
	struct execmond_exe_key exe;

	exe_resolve(task, &exe);
	who->exe_ino = exe.ino;
	who->exe_dev = exe.dev;
	who->exe_generation = exe.generation;
}

#endif /* EXECMOND_BPF_EXE_PATH_BPF_H */
