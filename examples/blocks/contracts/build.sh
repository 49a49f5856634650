#!/bin/sh
# Rebuilds every example contract from its source, deterministically: the same
# tools give the same bytes (checked with clang 14.0.6 and wabt 1.0.32).
# Run from anywhere; the .wasm files are written beside their sources.
set -eu
cd "$(dirname "$0")"

# C contracts: no libc, no entry point, ABI functions left undefined so that
# they become imports from module "referee"; exports come from
# __attribute__((export_name)) in the source. --strip-all drops the name and
# producers sections so that the binary depends on the code alone.
for c in token hash; do
	clang --target=wasm32 -nostdlib -O2 -fno-builtin \
		-Wl,--no-entry -Wl,--allow-undefined -Wl,--strip-all \
		-o "$c.wasm" "$c.c"
done

# WAT contracts.
for w in counter traps; do
	wat2wasm "$w.wat" -o "$w.wasm"
done

# A contract may import nothing but the ABI: a stray "env" import means the
# compiler called a libc function (memcpy, memset) the source must avoid.
for m in *.wasm; do
	if wasm2wat "$m" | grep '(import' | grep -v '(import "referee"' >/dev/null; then
		echo "build.sh: $m imports from outside module \"referee\"" >&2
		exit 1
	fi
done
