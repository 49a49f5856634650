// quicksort: recursive quicksort of n pseudo-random 32-bit integers.
//
// run(n, seed) fills a[0..n) from the LCG (started at seed), sorts it with a
// recursive Hoare-partition quicksort, and returns sum((i+1) * a[i]) mod 2^32,
// or 0xffffffff if the result is not sorted. n is capped at MAXN.
#include "workload.h"

#define MAXN (1u << 18)

static int32_t a[MAXN];

static void sort(int32_t lo, int32_t hi) {
	while (lo < hi) {
		int32_t p = a[lo + (hi - lo) / 2];
		int32_t i = lo - 1, j = hi + 1;
		for (;;) {
			do i++; while (a[i] < p);
			do j--; while (a[j] > p);
			if (i >= j) break;
			int32_t t = a[i];
			a[i] = a[j];
			a[j] = t;
		}
		// Recurse into the smaller half, loop on the larger: depth stays O(log n).
		if (j - lo < hi - j) {
			sort(lo, j);
			lo = j + 1;
		} else {
			sort(j + 1, hi);
			hi = j;
		}
	}
}

uint32_t run(uint32_t n, uint32_t seed) {
	if (n > MAXN) n = MAXN;
	uint32_t s = seed;
	for (uint32_t i = 0; i < n; i++) a[i] = (int32_t)lcg(&s);
	if (n > 0) sort(0, (int32_t)n - 1);
	uint32_t sum = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (i > 0 && a[i - 1] > a[i]) return 0xffffffffu;
		sum += (i + 1) * (uint32_t)a[i];
	}
	return sum;
}

#ifdef NATIVE
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
	if (argc != 3) return 2;
	printf("%u\n", run((uint32_t)strtoul(argv[1], 0, 0), (uint32_t)strtoul(argv[2], 0, 0)));
	return 0;
}
#endif
