// indirect: calls through a function-pointer table plus bulk memory moves.
//
// run(n, seed) draws n numbers r from the LCG (started at seed) and folds
// each into acc with table[r >> 29](acc, r), a call_indirect in Wasm. Every
// 64th draw also fills 512 bytes of buf and moves 1024 bytes within it
// (memory.fill and memory.copy: build.sh compiles this file with
// -mbulk-memory), then mixes one byte of buf into acc. Returns acc.
#include "workload.h"

typedef uint32_t (*opfn)(uint32_t, uint32_t);

#define NOINLINE __attribute__((noinline))

static NOINLINE uint32_t op_add(uint32_t a, uint32_t r) { return a + r; }
static NOINLINE uint32_t op_xor(uint32_t a, uint32_t r) { return a ^ (r >> 3); }
static NOINLINE uint32_t op_mul(uint32_t a, uint32_t r) { return a * (r | 1); }
static NOINLINE uint32_t op_rotl(uint32_t a, uint32_t r) { return a << (r & 31) | a >> ((32 - (r & 31)) & 31); }
static NOINLINE uint32_t op_sub(uint32_t a, uint32_t r) { return a - (r >> 7); }
static NOINLINE uint32_t op_mix(uint32_t a, uint32_t r) { return (a ^ r) * 0x9e3779b1u; }
static NOINLINE uint32_t op_div(uint32_t a, uint32_t r) { return a / ((r & 0xff) | 1) + r; }
static NOINLINE uint32_t op_neg(uint32_t a, uint32_t r) { return ~a + (r & 0xffff); }

static opfn const table[8] = {op_add, op_xor, op_mul, op_rotl, op_sub, op_mix, op_div, op_neg};

static uint8_t buf[1 << 16];

uint32_t run(uint32_t n, uint32_t seed) {
	__builtin_memset(buf, 0, sizeof buf);
	uint32_t s = seed, acc = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = lcg(&s);
		acc = table[r >> 29](acc, r);
		if ((i & 63) == 63) {
			__builtin_memset(buf + ((r >> 8) & 0x7fff), (int)(acc & 0xff), 512);
			__builtin_memmove(buf + ((acc >> 4) & 0x7fff), buf + ((r >> 12) & 0x7fff), 1024);
			acc ^= buf[(acc >> 7) & 0xffff];
		}
	}
	return acc;
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
