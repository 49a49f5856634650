#!/bin/sh
# Rebuilds the diff test modules from their WAT sources (wabt's wat2wasm).
set -e
cd "$(dirname "$0")"
for f in *.wat modules/*.wat; do
	wat2wasm "$f" -o "${f%.wat}.wasm"
done
