// Package referee is referee as a Go library: what a node written in Go
// embeds to refuse a block before accepting it when its engines disagree,
// and to prove and verify one step of a transaction for a dispute.
//
//   - A Checker checks blocks (block.Block) on several Wasm engines and
//     returns a Verdict: agreement with the post-state commitment and the
//     receipts, or the first divergence with every engine's outcome and a
//     replay bundle. It is long-lived: its engines and a ModuleCache keep
//     every contract gated, instrumented and compiled once per engine
//     across blocks, and with Config.Isolate the engines run in a pool of
//     child processes that a crash or a hang cannot take down.
//   - ProveTx, VerifyStep and TxRoot prove one step of a block
//     transaction, check such a proof from its bytes alone, and give the
//     state root after any step (docs/proof-format.md,
//     docs/state-commitment.md).
//
// The command line (cmd/referee) and the service (serve/, `referee serve`)
// are built on this package, so a verdict's JSON document (Document) is
// the same in all three. Below it, block/ holds the block format, diff/
// the engines and the comparison, dispute/ the proofs and the game; this
// package only wires them together for the common uses.
//
// It never reads a file or the network by itself (ParseBlock refuses a
// block that names a code file), never prints or logs, and keeps no global
// state: everything lives in a Checker, which is safe for concurrent use.
// It imports nothing from cmd/ or serve/.
package referee
