// Package corpus keeps the findings of differential fuzzing: modules and
// inputs on which engines disagree, each stored content-addressed on disk,
// deduplicated by the divergence's signature, and shrunk by delta
// debugging to a module small enough to read.
//
// A finding (finding.go) is a module, a list of calls of its exports with
// raw argument bits, the index of the call that diverged, the engines and
// their outcomes, the divergence's class and signature, and where it came
// from (campaign seed, worker, iteration). Its ID is the sha256 of the
// module's bytes and the calls; the time it was found is metadata and never
// part of the ID, so the same input found twice is the same finding.
//
// The store (store.go) is a directory holding ID.json (the record), ID.wasm
// (the module as found) and, once minimized, ID.min.wasm. Every file is
// written to a temporary name and renamed into place, and the record is
// written last, so a crash or Ctrl-C leaves either a complete finding or
// nothing. One finding is kept per signature: when the same signature is
// found again in the same campaign, the finding found earliest in the
// campaign's deterministic order (iteration, then worker) is kept, so the
// stored set does not depend on goroutine scheduling. Every update takes
// the directory's lock (DIR/.lock, flock) and re-reads the directory, so
// campaigns, imports and merges (merge.go: one finding per signature
// across directories, the smallest reproducer) may share it.
//
// Minimize (minimize.go) is generic over a predicate "the divergence still
// holds": it drops exports, functions (rewriting the function index space)
// and segments, deletes and replaces instructions, and simplifies
// constants, and it only ever offers the predicate modules that pass
// wasm.Validate. DiffOracle (oracle.go) runs calls on diff's engines and is
// both the campaign's oracle and what replays a stored finding; with Raw
// it also runs each module unmetered on the reference machine, so that a
// bug in referee's own instrumentation is a finding too (oracle_raw.go).
// PlantedOp
// (planted.go, planted_bugs.go) is an engine with a planted bug in one rare
// case of one operator (PlantedBugs lists fourteen), to measure how fast
// campaigns find bugs and how small their findings get.
//
// The package imports wasm and diff (for engine outcomes); it uses no map
// iteration, clock or randomness for anything but the metadata time.
package corpus
