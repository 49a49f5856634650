#!/bin/sh
# Rebuilds the golden-test modules from their WAT source (needs wabt's wat2wasm).
set -e
cd "$(dirname "$0")"
for m in div start imports link elemtrap; do
	wat2wasm "$m.wat" -o "$m.wasm"
done
# truncated.wasm: div.wasm cut inside its code section.
head -c 100 div.wasm > truncated.wasm
