/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A command line's id: a 64-bit hash of its bytes and of whether it was cut,
 * never 0. The exec handler (cmdline.bpf.h) hashes what it read from the new
 * program's memory; the daemon hashes /proc/PID/cmdline of the processes
 * that ran before it started with this same code, so that the two agree.
 * Plain C over __u64 that is also valid C++.
 *
 * The bytes are taken as native-endian 64-bit words, the last one padded
 * with zero bytes: both sides run on the same host. A round per word, then
 * the length and flags: "a" and "a\0" differ in length, not in words.
 */
#ifndef EXECMOND_BPF_CMDLINE_HASH_H
#define EXECMOND_BPF_CMDLINE_HASH_H

#include <linux/types.h>

#ifdef __bpf__
#define EXECMOND_HASH_FN static __always_inline
#else
#define EXECMOND_HASH_FN static inline
#endif

#define EXECMOND_CMDLINE_HASH_SEED 0x27d4eb2f165667c5ULL

/* xxHash64's round: each word is multiplied in, so that equal words at other places differ. */
EXECMOND_HASH_FN __u64 execmond_cmdline_hash_word(__u64 h, __u64 word)
{
	h += word * 0xc2b2ae3d27d4eb4fULL;
	h = (h << 31) | (h >> 33);
	return h * 0x9e3779b185ebca87ULL;
}

/* The id of `len` hashed bytes: murmur3's finalizer over the length and flags, then never 0. */
EXECMOND_HASH_FN __u64 execmond_cmdline_hash_end(__u64 h, __u32 len, __u32 flags)
{
	h ^= ((__u64)flags << 32) | len;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h ? h : 1;
}

/* Words that hold `len` bytes. */
EXECMOND_HASH_FN __u32 execmond_cmdline_words(__u32 len)
{
	return (len + 7) / 8;
}

#undef EXECMOND_HASH_FN

#endif /* EXECMOND_BPF_CMDLINE_HASH_H */
