/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * How wait4() and getrusage() split a process's CPU time into user and
 * system, as the kernel's cputime_adjust() does: the precise runtime
 * (sum_exec_runtime) in the proportion of the tick-sampled utime and stime.
 * The kernel multiplies with 128-bit arithmetic, which BPF lacks; a 20-bit
 * fraction keeps the split within two millionths of the runtime. Plain C that
 * is also valid C++, so the daemon's tests check it against the exact
 * formula.
 */
#ifndef EXECMOND_BPF_CPUTIME_H
#define EXECMOND_BPF_CPUTIME_H

#include <linux/types.h>

#define EXECMOND_CPUTIME_FRACTION_BITS 20

/* The system part of `runtime_ns`; the user part is the rest. */
static inline __u64 execmond_scaled_stime(__u64 utime, __u64 stime, __u64 runtime_ns)
{
	const __u64 low_mask = (1ULL << EXECMOND_CPUTIME_FRACTION_BITS) - 1;
	__u64 total = utime + stime;
	__u64 fraction;

	/* cputime_adjust(): all of it is system (user) time when no tick saw the other. */
	if (stime == 0)
		return 0;
	if (utime == 0)
		return runtime_ns;
	/* Keeps stime << 20 below 2^63 (samples over 2^43 ns, about 2.4 hours). */
	if (total >= (1ULL << 43)) {
		stime >>= EXECMOND_CPUTIME_FRACTION_BITS;
		total >>= EXECMOND_CPUTIME_FRACTION_BITS;
	}
	fraction = (stime << EXECMOND_CPUTIME_FRACTION_BITS) / total;
	return (runtime_ns >> EXECMOND_CPUTIME_FRACTION_BITS) * fraction +
	       (((runtime_ns & low_mask) * fraction) >> EXECMOND_CPUTIME_FRACTION_BITS);
}

#endif /* EXECMOND_BPF_CPUTIME_H */
