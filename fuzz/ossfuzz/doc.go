// Package ossfuzz is what building referee's native Go fuzz targets as
// libFuzzer binaries (OSS-Fuzz, ClusterFuzzLite, fuzz/ossfuzz/build-local.sh)
// needs from Go: the list of targets (Targets), a self-contained copy of a
// target's test code for the builder (Bundle), the conversion of committed
// seeds (testdata/fuzz/FuzzX, in the "go test fuzz v1" format) into
// libFuzzer inputs (ParseCorpusFile, Encode) and back (Decode), so that a
// libFuzzer crash file can be imported as a finding.
//
// libFuzzer hands a target one byte string. go-118-fuzz-build (the builder
// behind OSS-Fuzz's compile_native_go_fuzzer) turns it into the target's
// arguments with go-fuzz-headers' consumer: a []byte is a 4-byte
// big-endian length and that many bytes (the length is taken modulo the
// bytes left unless it equals them, and 0 means 30), a uint32 or int32 is
// 4 bytes big-endian, a uint64 or int64 is 8 bytes and a byte saying the
// order (even: little-endian), a byte or bool is one byte. Encode and
// Decode implement exactly that, for the types referee's targets take;
// the builder's version is pinned in build.sh and build-local.sh.
//
// Bundle exists because the builder compiles a target's file with the
// package's non-test files only: helpers the target uses from other test
// files are missing, and its "testing" import is replaced by a shim that
// has no testing.TB or testing.B. Bundle writes one test file holding the
// target and everything it reaches in the package's test files, with
// testing.TB replaced by an interface both shim types satisfy, and the
// target's seeding code (the statements before f.Fuzz that only make
// seeds: the shim ignores f.Add but would run them for every input, and
// they read files a binary away from the tree does not have), and moves
// the other test files aside; it is meant for a throwaway copy of the
// tree (the builder's container, or build-local.sh's temporary copy),
// never for a working tree.
//
// The package imports only the standard library and nothing from referee.
package ossfuzz
