/* referee.h: the host ABI referee-v1 (docs/block-format.md, "Host ABI") for
 * contracts written in C. Every function is imported from module "referee";
 * pointers are offsets in the contract's exported memory "memory". */
#ifndef REFEREE_H
#define REFEREE_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

#define REFEREE_IMPORT(name) __attribute__((import_module("referee"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

/* Copies min(length, val_cap) bytes of the value of key to val and returns
 * its length, or -1 if the key is absent. */
REFEREE_IMPORT(storage_read) int storage_read(const void *key, u32 key_len, void *val, u32 val_cap);
/* Writes key = val; val_len 0 deletes the key. Kept only if the tx succeeds. */
REFEREE_IMPORT(storage_write) void storage_write(const void *key, u32 key_len, const void *val, u32 val_len);
REFEREE_IMPORT(input_size) u32 input_size(void);
/* Copies input[off, off+len) to dst; traps if the range is outside the input. */
REFEREE_IMPORT(input_copy) void input_copy(void *dst, u32 off, u32 len);
/* Sets the tx's return data (the last call wins). */
REFEREE_IMPORT(return_data) void return_data(const void *p, u32 len);
REFEREE_IMPORT(log) void referee_log(const void *p, u32 len);
/* Ends the tx with status abort and code; storage writes and logs are dropped. */
REFEREE_IMPORT(abort) __attribute__((noreturn)) void referee_abort(u32 code);

static inline u64 load_u64(const u8 *p) {
	u64 v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline void store_u64(u8 *p, u64 v) {
	for (int i = 0; i < 8; i++) {
		p[i] = (u8)v;
		v >>= 8;
	}
}

#endif
