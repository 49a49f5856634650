/* token.c: a fungible token. Accounts are 8-byte ids; amounts are u64
 * little-endian. Storage: "b" ++ account -> balance (8 bytes; absent = 0),
 * "s" -> total supply. There is no signature check: the sender is part of
 * the input, authentication is out of scope for these examples.
 *
 * Entries (all [] -> []; arguments come from the tx input):
 *   mint      input to(8) amount(8)            supply and balance grow
 *   transfer  input from(8) to(8) amount(8)    logs the input, returns the
 *                                              sender's new balance
 *   balance   input account(8)                 returns the balance (8 bytes)
 *   supply    no input                         returns the total supply
 * Abort codes: 1 bad input length, 2 insufficient balance, 3 overflow,
 * 4 corrupt storage. */
#include "referee.h"

enum { ERR_INPUT = 1, ERR_BALANCE = 2, ERR_OVERFLOW = 3, ERR_CORRUPT = 4 };

static u8 in[24];

static void read_input(u32 want) {
	if (input_size() != want)
		referee_abort(ERR_INPUT);
	input_copy(in, 0, want);
}

static u64 read_u64(const u8 *key, u32 key_len) {
	u8 val[8];
	int n = storage_read(key, key_len, val, sizeof val);
	if (n < 0)
		return 0;
	if (n != 8)
		referee_abort(ERR_CORRUPT);
	return load_u64(val);
}

static void write_u64(const u8 *key, u32 key_len, u64 v) {
	u8 val[8];
	if (v == 0) {
		storage_write(key, key_len, val, 0); /* zero balance: delete the key */
		return;
	}
	store_u64(val, v);
	storage_write(key, key_len, val, sizeof val);
}

static void balance_key(u8 key[9], const u8 *account) {
	key[0] = 'b';
	__builtin_memcpy(key + 1, account, 8);
}

static u64 balance_of(const u8 *account) {
	u8 key[9];
	balance_key(key, account);
	return read_u64(key, sizeof key);
}

static void set_balance(const u8 *account, u64 v) {
	u8 key[9];
	balance_key(key, account);
	write_u64(key, sizeof key, v);
}

static void return_u64(u64 v) {
	u8 out[8];
	store_u64(out, v);
	return_data(out, sizeof out);
}

EXPORT(mint) void mint(void) {
	static const u8 supply_key[1] = {'s'};
	read_input(16);
	u64 amount = load_u64(in + 8);
	u64 supply = read_u64(supply_key, 1);
	u64 bal = balance_of(in);
	if (supply + amount < supply || bal + amount < bal)
		referee_abort(ERR_OVERFLOW);
	write_u64(supply_key, 1, supply + amount);
	set_balance(in, bal + amount);
	return_u64(bal + amount);
}

EXPORT(transfer) void transfer(void) {
	read_input(24);
	const u8 *from = in, *to = in + 8;
	u64 amount = load_u64(in + 16);
	u64 fb = balance_of(from);
	if (fb < amount)
		referee_abort(ERR_BALANCE);
	if (load_u64(from) != load_u64(to)) {
		u64 tb = balance_of(to);
		if (tb + amount < tb)
			referee_abort(ERR_OVERFLOW);
		set_balance(from, fb - amount);
		set_balance(to, tb + amount);
		fb -= amount;
	}
	referee_log(in, 24);
	return_u64(fb);
}

EXPORT(balance) void balance(void) {
	read_input(8);
	return_u64(balance_of(in));
}

EXPORT(supply) void supply(void) {
	static const u8 supply_key[1] = {'s'};
	read_input(0);
	return_u64(read_u64(supply_key, 1));
}
