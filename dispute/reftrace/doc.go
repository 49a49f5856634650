// Package reftrace is a dispute.Trace over a real execution of the
// reference machine. It keeps a snapshot every C steps, so the root at
// step s costs one Restore and at most C−1 steps instead of a run from
// step 0, and a cursor machine that moves forward without a restore when
// the next request lies ahead of it (a challenger scanning split points in
// order pays each step once).
//
// The root and the one-step proof are pluggable. MerkleRoot and
// MerkleProver are the real ones (Machine.Root and Committer.Witness,
// checked by dispute.ProofChecker). SnapshotRoot, SnapshotProver and
// ReexecChecker are the stand-ins the game was built against before
// those existed: the root is sha256 of the Snapshot encoding, the proof is
// the whole pre-state snapshot, and the checker restores it and executes
// one step: sound, but the arbiter runs the machine and the "proof" is as
// large as the state. They remain for machines the one-step verifier does
// not cover.
//
// This package imports trace/; the dispute package must not (its verifier
// checks proofs without a machine), which is why the two are separate. It
// must never decide a game: it only answers for one honest party.
package reftrace
