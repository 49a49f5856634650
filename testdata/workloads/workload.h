// workload.h: shared definitions for the benchmark workloads.
//
// Every workload is one C file compiled twice: for wasm32 by build.sh
// (freestanding, no imports, exporting only `run` and the memory) and natively
// by expected.sh (with -DNATIVE, which adds a main that prints run's result).
// Fixed-width types only, so both builds compute the same bits.
#ifndef WORKLOAD_H
#define WORKLOAD_H

#include <stdint.h>

// lcg advances a 32-bit linear congruential generator (Numerical Recipes
// constants) and returns the new state.
static inline uint32_t lcg(uint32_t *s) {
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

#endif
