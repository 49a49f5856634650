// Package wasm is the WebAssembly 2.0 binary format: it decodes, validates
// and encodes modules. It has its own package because every other part of
// referee (the reference machine, the engine adapters, the fuzzer and the
// gatekeeper in front of block acceptance) reads modules, and none of them
// should own the format.
//
// It must never execute anything, never import another referee package, and
// never panic on any input: it parses hostile bytes.
package wasm
