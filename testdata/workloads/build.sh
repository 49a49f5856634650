#!/bin/sh
# build.sh rebuilds every workload .wasm from the source beside it.
#
# C files: clang (wasm32, freestanding, -O2), exporting only `run` and the
# memory. -fno-builtin keeps clang from turning loops into calls to memset or
# memcpy, which do not exist here; indirect.c alone is built with
# -mbulk-memory so that its __builtin_memset/memmove become memory.fill and
# memory.copy, and sha256x4.c with -msimd128 so that its vector types become
# v128 and the vector instructions. WAT files: wat2wasm. The output is the same
# bytes on every run with the same tool versions (clang 14.0.6, wat2wasm 1.0.32).
set -eu
cd "$(dirname "$0")"

CFLAGS="--target=wasm32 -nostdlib -O2 -fno-builtin -Wall -Wextra -Werror"
LDFLAGS="-Wl,--no-entry -Wl,--export=run -Wl,-z,stack-size=65536"

for src in *.c; do
	name=${src%.c}
	extra=""
	if [ "$name" = indirect ]; then extra="-mbulk-memory"; fi
	if [ "$name" = sha256x4 ]; then extra="-msimd128"; fi
	clang $CFLAGS $extra $LDFLAGS -o "$name.wasm" "$src"
done
for src in *.wat; do
	name=${src%.wat}
	wat2wasm -o "$name.wasm" "$src"
done
