/* hash.c: SHA-256 (FIPS 180-4) of the tx input, stored and returned.
 *
 * Entries:
 *   hash   input: any bytes (up to 64 KiB). Stores "last" -> digest and
 *          "n" -> number of hash calls so far (u64 LE), returns the digest.
 *   chain  input: n (u32 LE) ++ data. digest = sha256(data), then n-1 more
 *          times digest = sha256(digest) (n = 0 counts as 1); stores
 *          "chain" -> digest and returns it. A CPU-bound workload.
 * Abort codes: 1 input shorter than 4 bytes for chain. */
#include "referee.h"

static const u32 K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static u32 rotr(u32 x, u32 n) { return x >> n | x << (32 - n); }

/* block compresses one 64-byte block into the state h. */
static void block(u32 h[8], const u8 *p) {
	u32 w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 | (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		u32 s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ w[i - 15] >> 3;
		u32 s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ w[i - 2] >> 10;
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		u32 t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		u32 t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

static void sha256(const u8 *msg, u32 len, u8 out[32]) {
	u32 h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	u32 i = 0;
	for (; len - i >= 64; i += 64)
		block(h, msg + i);
	u8 tail[128];
	u32 rest = len - i, n = rest < 56 ? 64 : 128;
	for (u32 j = 0; j < n; j++)
		tail[j] = j < rest ? msg[i + j] : 0;
	tail[rest] = 0x80;
	u64 bits = (u64)len * 8;
	for (int j = 0; j < 8; j++)
		tail[n - 1 - j] = (u8)(bits >> (8 * j));
	for (u32 j = 0; j < n; j += 64)
		block(h, tail + j);
	for (int j = 0; j < 8; j++) {
		out[4 * j] = (u8)(h[j] >> 24);
		out[4 * j + 1] = (u8)(h[j] >> 16);
		out[4 * j + 2] = (u8)(h[j] >> 8);
		out[4 * j + 3] = (u8)h[j];
	}
}

static u8 input[65536];

EXPORT(hash) void hash(void) {
	static const u8 last_key[4] = {'l', 'a', 's', 't'}, n_key[1] = {'n'};
	u32 len = input_size();
	input_copy(input, 0, len);
	u8 digest[32];
	sha256(input, len, digest);
	storage_write(last_key, sizeof last_key, digest, sizeof digest);
	u8 nbuf[8];
	u64 n = 0;
	if (storage_read(n_key, 1, nbuf, sizeof nbuf) == 8)
		n = load_u64(nbuf);
	store_u64(nbuf, n + 1);
	storage_write(n_key, 1, nbuf, sizeof nbuf);
	return_data(digest, sizeof digest);
}

EXPORT(chain) void chain(void) {
	static const u8 chain_key[5] = {'c', 'h', 'a', 'i', 'n'};
	u32 len = input_size();
	if (len < 4)
		referee_abort(1);
	input_copy(input, 0, len);
	u32 n = (u32)input[0] | (u32)input[1] << 8 | (u32)input[2] << 16 | (u32)input[3] << 24;
	u8 digest[32];
	sha256(input + 4, len - 4, digest);
	for (u32 i = 1; i < n; i++)
		sha256(digest, 32, digest);
	storage_write(chain_key, sizeof chain_key, digest, sizeof digest);
	return_data(digest, sizeof digest);
}
