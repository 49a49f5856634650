// lz: an LZ77-style compressor and decompressor round trip.
//
// run(n, seed) generates n bytes of pseudo-text (words drawn from a small
// dictionary by the LCG started at seed), compresses them greedily with a
// 4-byte hash table of last positions, decompresses the result, and returns
// the compressed size, or 0xffffffff if the round trip does not reproduce
// the input. n is capped at MAXN.
//
// Token format: a literal run is 0x00-0x7f (run length - 1) followed by the
// bytes; a match is 0x80 | (length - 4) (length 4..131) followed by a 16-bit
// little-endian distance (1..65535).
#include "workload.h"

#define MAXN (1u << 17)
#define HBITS 12

static uint8_t in[MAXN];
static uint8_t out[MAXN + MAXN / 64 + 16];
static uint8_t back[MAXN];
static int32_t head[1 << HBITS];

static const char words[] = "the quick brown fox jumps over lazy dog wasm step trace proof "
                            "merkle root machine value stack frame memory table global ";

static uint32_t gen(uint32_t n, uint32_t seed) {
	// Word start offsets: the byte after each space, and 0.
	uint32_t starts[32];
	uint32_t nw = 0;
	starts[nw++] = 0;
	for (uint32_t i = 0; words[i + 1] != 0 && nw < 32; i++) {
		if (words[i] == ' ') starts[nw++] = i + 1;
	}
	uint32_t s = seed, i = 0;
	while (i < n) {
		uint32_t w = starts[(lcg(&s) >> 16) % nw];
		do {
			in[i++] = (uint8_t)words[w];
		} while (i < n && words[w++] != ' ');
	}
	return n;
}

static inline uint32_t hash4(const uint8_t *p) {
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return (v * 2654435761u) >> (32 - HBITS);
}

static uint32_t flush(uint32_t o, uint32_t lit, uint32_t end) {
	while (lit < end) {
		uint32_t k = end - lit;
		if (k > 128) k = 128;
		out[o++] = (uint8_t)(k - 1);
		for (uint32_t j = 0; j < k; j++) out[o++] = in[lit + j];
		lit += k;
	}
	return o;
}

static uint32_t compress(uint32_t n) {
	for (uint32_t i = 0; i < (1u << HBITS); i++) head[i] = -1;
	uint32_t o = 0, lit = 0, i = 0;
	while (i + 4 <= n) {
		uint32_t h = hash4(in + i);
		int32_t c = head[h];
		head[h] = (int32_t)i;
		if (c >= 0 && i - (uint32_t)c <= 65535 && in[c] == in[i] && in[c + 1] == in[i + 1] &&
		    in[c + 2] == in[i + 2] && in[c + 3] == in[i + 3]) {
			uint32_t len = 4;
			while (len < 131 && i + len < n && in[c + len] == in[i + len]) len++;
			o = flush(o, lit, i);
			uint32_t dist = i - (uint32_t)c;
			out[o++] = (uint8_t)(0x80 | (len - 4));
			out[o++] = (uint8_t)dist;
			out[o++] = (uint8_t)(dist >> 8);
			i += len;
			lit = i;
		} else {
			i++;
		}
	}
	return flush(o, lit, n);
}

static uint32_t decompress(uint32_t m) {
	uint32_t o = 0, i = 0;
	while (i < m) {
		uint32_t t = out[i++];
		if (t < 0x80) {
			for (uint32_t j = 0; j <= t; j++) back[o++] = out[i++];
		} else {
			uint32_t len = (t & 0x7f) + 4;
			uint32_t dist = (uint32_t)out[i] | (uint32_t)out[i + 1] << 8;
			i += 2;
			for (uint32_t j = 0; j < len; j++, o++) back[o] = back[o - dist];
		}
	}
	return o;
}

uint32_t run(uint32_t n, uint32_t seed) {
	if (n > MAXN) n = MAXN;
	gen(n, seed);
	uint32_t m = compress(n);
	if (decompress(m) != n) return 0xffffffffu;
	for (uint32_t i = 0; i < n; i++) {
		if (back[i] != in[i]) return 0xffffffffu;
	}
	return m;
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
