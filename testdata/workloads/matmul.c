// matmul: f64 matrix multiply C = A x B of two n x n matrices.
//
// run(n) fills A[i][j] = ((i*7 + j*3) % 13) / 8 - 0.75 and
// B[i][j] = ((i*5 + j*11) % 17) / 16 + 0.125, multiplies them in i-k-j order,
// and returns the sum of C's elements in row-major order. n is capped at MAXN.
// No fused multiply-add and a fixed summation order, so native and Wasm builds
// give the same bits.
#include "workload.h"

#define MAXN 160

static double A[MAXN * MAXN], B[MAXN * MAXN], C[MAXN * MAXN];

double run(uint32_t n) {
	if (n > MAXN) n = MAXN;
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t j = 0; j < n; j++) {
			A[i * n + j] = (double)((i * 7 + j * 3) % 13) / 8.0 - 0.75;
			B[i * n + j] = (double)((i * 5 + j * 11) % 17) / 16.0 + 0.125;
			C[i * n + j] = 0.0;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t k = 0; k < n; k++) {
			double aik = A[i * n + k];
			for (uint32_t j = 0; j < n; j++) C[i * n + j] += aik * B[k * n + j];
		}
	}
	double sum = 0.0;
	for (uint32_t i = 0; i < n * n; i++) sum += C[i];
	return sum;
}

#ifdef NATIVE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
	if (argc != 2) return 2;
	double r = run((uint32_t)strtoul(argv[1], 0, 0));
	uint64_t bits;
	memcpy(&bits, &r, 8);
	printf("%.17g 0x%016llx\n", r, (unsigned long long)bits);
	return 0;
}
#endif
