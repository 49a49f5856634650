#!/bin/sh
# Rebuilds the .wasm test modules here from their WAT source (wabt's wat2wasm).
# referee's TestWATRebuild checks the committed bytes against this.
set -e
cd "$(dirname "$0")"
for f in *.wat; do
	wat2wasm "$f" -o "${f%.wat}.wasm"
done
