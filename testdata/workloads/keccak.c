// keccak: the Keccak-f[1600] permutation applied n times to the zero state.
//
// run(n) returns lane 0 after n permutations. For n = 1 this is
// 0xf1258f7940e1dde7, the first lane of the published Keccak-f[1600] test
// vector for the zero state; expected.sh checks it.
#include "workload.h"

static const uint64_t RC[24] = {
	0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
	0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
	0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
	0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
	0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
	0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

// Rotation offsets and the pi-step lane order, walked along the rho-pi cycle.
static const int ROT[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
                            27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
static const int PI[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
                           15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};

static uint64_t st[25];

static inline uint64_t rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

static void keccakf(void) {
	uint64_t bc[5];
	for (int r = 0; r < 24; r++) {
		for (int i = 0; i < 5; i++) bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
		for (int i = 0; i < 5; i++) {
			uint64_t t = bc[(i + 4) % 5] ^ rotl(bc[(i + 1) % 5], 1);
			for (int j = 0; j < 25; j += 5) st[j + i] ^= t;
		}
		uint64_t t = st[1];
		for (int i = 0; i < 24; i++) {
			int j = PI[i];
			uint64_t tmp = st[j];
			st[j] = rotl(t, ROT[i]);
			t = tmp;
		}
		for (int j = 0; j < 25; j += 5) {
			for (int i = 0; i < 5; i++) bc[i] = st[j + i];
			for (int i = 0; i < 5; i++) st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
		}
		st[0] ^= RC[r];
	}
}

uint64_t run(uint32_t n) {
	for (int i = 0; i < 25; i++) st[i] = 0;
	for (uint32_t k = 0; k < n; k++) keccakf();
	return st[0];
}

#ifdef NATIVE
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
	if (argc != 2) return 2;
	printf("%llu\n", (unsigned long long)run((uint32_t)strtoul(argv[1], 0, 0)));
	return 0;
}
#endif
