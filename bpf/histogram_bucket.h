/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Histogram bucket lookup shared by the kernel side and the daemon's tests:
 * the index of the first bound >= value, or n when value is above them all
 * (the +Inf bucket). Bounds are ascending; the loop is bounded for the
 * verifier.
 */
#ifndef EXECMOND_BPF_HISTOGRAM_BUCKET_H
#define EXECMOND_BPF_HISTOGRAM_BUCKET_H

/* `bounds` holds `capacity` entries (at most 63), the first `n` of them used. */
static inline unsigned int execmond_histogram_bucket(const volatile unsigned long long *bounds,
						     unsigned int capacity, unsigned int n,
						     unsigned long long value)
{
	unsigned int lo = 0, hi = n;

	/* Binary search: at most log2(capacity) + 1 rounds. */
	for (int round = 0; round < 6 && lo < hi; round++) {
		unsigned int mid = (lo + hi) / 2;

		if (mid >= capacity)
			break;
		if (value <= bounds[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

#endif /* EXECMOND_BPF_HISTOGRAM_BUCKET_H */
