#!/bin/bash -eu
# Builds every native Go fuzz target of referee (func Fuzz*(f *testing.F)
# in any package) as a libFuzzer binary in $OUT, with its seed corpus
# (the committed testdata/fuzz/FuzzX seeds, converted) and the Wasm
# dictionary. Runs in the OSS-Fuzz Go base builder (compile_native_go_fuzzer,
# $SRC, $OUT, $CXX, $CXXFLAGS, $LIB_FUZZING_ENGINE) and, unchanged, under
# fuzz/ossfuzz/build-local.sh. New targets are picked up by name: nothing
# here lists them.
#
# Targets whose code links wasmtime-go (cgo: its prebuilt static library,
# today only FuzzDifferential, through diff) are linked against that
# library; where the builder cannot link it (another platform, a sanitizer
# it does not take) the target is skipped with a line saying so, and the
# build goes on. REFEREE_CGO_TARGETS=0 skips them without trying.
cd "$SRC/referee"

# The testing shim go-118-fuzz-build rewrites targets to import; pinned to
# the builder's version (build-local.sh installs the same).
GO118FUZZBUILD=${GO118FUZZBUILD:-v0.0.0-20250520111509-a70c2aa677fa}
go get "github.com/AdamKorcz/go-118-fuzz-build/testing@$GO118FUZZBUILD"

tool=$(mktemp -d)/ossfuzz
go build -o "$tool" ./fuzz/ossfuzz/cmd/ossfuzz
module=$(go list -m)
wasmtime_dir=$(go list -m -f '{{.Dir}}' github.com/bytecodealliance/wasmtime-go/v39 2>/dev/null || true)

"$tool" targets > "$tool.targets"
built=0 skipped=0
while read -r dir fn bin params; do
  # The builder compiles the target's file with the package's non-test
  # files only: bundle it with what it uses from the other test files.
  "$tool" bundle "$dir" "$fn"
  if CGO_ENABLED=1 go list -deps -test "./$dir" | grep -q '^github.com/bytecodealliance/wasmtime-go'; then
    lib=$wasmtime_dir/build/linux-x86_64/libwasmtime.a
    if [ "${REFEREE_CGO_TARGETS:-1}" = 0 ] || [ ! -f "$lib" ] ||
      ! CXXFLAGS="$CXXFLAGS -Wl,--whole-archive $lib -Wl,--no-whole-archive -ldl -lm -pthread" \
        compile_native_go_fuzzer "$module/$dir" "$fn" "$bin"; then
      echo "build.sh: skipping $fn ($dir): needs cgo (wasmtime-go), which this builder does not link"
      "$tool" restore "$dir"
      skipped=$((skipped + 1))
      continue
    fi
  else
    compile_native_go_fuzzer "$module/$dir" "$fn" "$bin"
  fi
  "$tool" restore "$dir"
  "$tool" seeds -o "$OUT/${bin}_seed_corpus.zip" "$dir" "$fn"
  cp fuzz/ossfuzz/wasm.dict "$OUT/$bin.dict"
  built=$((built + 1))
done < "$tool.targets"
echo "build.sh: built $built fuzz targets, skipped $skipped"
