// Package onchain is referee's arbiter on chain: the Solidity one-step
// verifier and the k-ary dispute game (contracts/), their compiled
// bytecode and ABI (build/, embedded here so that tests and the CLI need
// neither node nor solc), and the Go side that runs them in an in-process
// EVM (go-ethereum) against referee's Go verifier and game.
//
// It is a module of its own so that the main module never depends on
// go-ethereum (docs/RATIONALE.md, "Why is the on-chain arbiter a nested
// module?"). Nothing in the main module imports it.
package onchain
