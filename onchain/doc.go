// Package onchain is referee's arbiter on chain: the Solidity one-step
// verifier and the k-ary dispute game (contracts/), their compiled
// bytecode and ABI (build/, embedded here so that tests and the CLI need
// neither node nor solc), and the Go side that runs them in an in-process
// EVM (go-ethereum) against referee's Go verifier and game.
//
// Packages: evm (an in-process EVM harness: deploy, call, gas under Osaka
// rules), verifier (OneStepVerifier deployed and called; its tests hold it
// to dispute.Verify proof for proof), game (DisputeGame on go-ethereum's
// simulated chain, played by dispute.Party strategies), softfloat (the
// SoftFloat library's tests against package numeric) and
// cmd/referee-onchain (the CLI, docs/cli.md). None of them decides
// anything the contracts do not: a verdict is always a contract's.
//
// It is a module of its own so that the main module never depends on
// go-ethereum (docs/RATIONALE.md, "Why is the on-chain arbiter a nested
// module?"). Nothing in the main module imports it.
package onchain
