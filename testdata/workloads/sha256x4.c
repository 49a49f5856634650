// sha256x4: SHA-256 of four messages at once, one message per i32x4 lane.
//
// run(n, seed) hashes four messages of n 64-byte blocks each: message k is
// the bytes of an LCG started at seed + k (the top byte of each state, as
// sha256.c). The compression function runs on vectors of four 32-bit lanes
// (GCC/Clang vector extensions: built with -msimd128 they become i32x4.add,
// v128.xor, v128.and, i32x4.shl, i32x4.shr_u and friends; natively, for
// expected.sh, whatever the host has). It returns the xor of the first
// digest word of the four messages.
#include "workload.h"

typedef uint32_t v4 __attribute__((vector_size(16)));

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline v4 rotr(v4 x, int n) { return (x >> n) | (x << (32 - n)); }

static inline v4 splat(uint32_t x) { return (v4){x, x, x, x}; }

// compress applies one block to the four states; w[0..15] holds the block's
// big-endian words, one message per lane.
static void compress(v4 h[8], v4 w[64]) {
	for (int t = 16; t < 64; t++) {
		v4 s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
		v4 s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	v4 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int t = 0; t < 64; t++) {
		v4 S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
		v4 ch = (e & f) ^ (~e & g);
		v4 t1 = hh + S1 + ch + splat(K[t]) + w[t];
		v4 S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
		v4 maj = (a & b) ^ (a & c) ^ (b & c);
		v4 t2 = S0 + maj;
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

// lcgByte is the next message byte of an LCG: its new state's top byte.
static inline uint32_t lcgByte(uint32_t *s) { return lcg(s) >> 24; }

uint32_t run(uint32_t n, uint32_t seed) {
	static v4 w[64];
	v4 h[8] = {splat(0x6a09e667), splat(0xbb67ae85), splat(0x3c6ef372), splat(0xa54ff53a),
		   splat(0x510e527f), splat(0x9b05688c), splat(0x1f83d9ab), splat(0x5be0cd19)};
	uint32_t s[4] = {seed, seed + 1, seed + 2, seed + 3};
	for (uint32_t blk = 0; blk < n; blk++) {
		for (int t = 0; t < 16; t++) {
			uint32_t x[4];
			for (int k = 0; k < 4; k++) {
				uint32_t b0 = lcgByte(&s[k]), b1 = lcgByte(&s[k]), b2 = lcgByte(&s[k]), b3 = lcgByte(&s[k]);
				x[k] = b0 << 24 | b1 << 16 | b2 << 8 | b3;
			}
			w[t] = (v4){x[0], x[1], x[2], x[3]};
		}
		compress(h, w);
	}
	// the padding block: 0x80, zeros, the length in bits (64n bytes)
	uint64_t bits = (uint64_t)n * 512;
	for (int t = 0; t < 16; t++) w[t] = splat(0);
	w[0] = splat(0x80000000u);
	w[14] = splat((uint32_t)(bits >> 32));
	w[15] = splat((uint32_t)bits);
	compress(h, w);
	return h[0][0] ^ h[0][1] ^ h[0][2] ^ h[0][3];
}

#ifdef NATIVE
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
	if (argc != 3) return 2;
	printf("%u\n", run((uint32_t)strtoul(argv[1], 0, 10), (uint32_t)strtoul(argv[2], 0, 10)));
	return 0;
}
#endif
