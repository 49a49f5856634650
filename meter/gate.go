package meter

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// BlockLimits returns the resource limits for contract code in blocks:
// tighter than wasm.DefaultLimits (which admits any ordinary compiled
// program) so that, together with DefaultOptions' shape limits
// (MaxBlocksPerFunc, MaxBlocksPerModule, MaxBrTableTargets) and memory cap,
// every module Prepare accepts compiles and instantiates on wazero's
// compiler in well under 100 ms of CPU time on a current x86-64 core. The
// numbers were measured with BenchmarkBombs on the worst-case shapes of
// testdata/bombs; docs/metering.md lists them.
func BlockLimits() wasm.ResourceLimits {
	return wasm.ResourceLimits{
		// 256 KiB: compiling is linear in code size at about 0.1-0.3
		// µs/byte for wazero's compiler; contracts are typically 10-200
		// KiB (EVM's cap is 24 KiB).
		MaxModuleSize: 256 << 10,

		MaxTypes: 4096,
		// 2,048 functions: each costs 10-50 µs of fixed compile overhead
		// (4,096 empty functions took 44 ms of CPU on wazero's compiler
		// and 200 ms of wall time on wasmtime on a loaded machine).
		MaxFuncs:        2048,
		MaxImports:      256,
		MaxExports:      4096,
		MaxGlobals:      4096,
		MaxTables:       16,
		MaxElemSegments: 4096,
		MaxDataSegments: 4096,

		// 4,096 locals: a frame is at most 32 KiB, and the depth counter
		// weighs it as 65 frames.
		MaxLocalsPerFunc: 4096,
		MaxFuncBodySize:  64 << 10,
		// 256: nested loops are the classic JIT bomb (one loop header per
		// level, each with live locals).
		MaxBlockDepth: 256,

		MaxDataSegmentSize: 256 << 10,
		MaxElemSegmentSize: 65536,
		MaxTableSize:       65536, // wazero allocates a table's initial size eagerly
		MaxMemoryPages:     256,   // 16 MiB, the same cap as DefaultOptions().MaxMemoryPages
	}
}

// Prepare is the static half of the gatekeeper followed by the
// instrumentation: it refuses a binary larger than lim.MaxModuleSize without
// reading it, decodes it, validates it against lim (Wasm 2.0 without SIMD,
// every resource limit), instruments it with o (which applies o's shape
// limits and memory cap) and encodes the result, the binary every engine
// then compiles. Zero fields of lim take wasm.DefaultLimits' values; blocks
// use BlockLimits and DefaultOptions. Every error wraps the decoder's
// sentinel, wasm.ErrInvalid, wasm.ErrLimit, wasm.ErrSIMD or an Instrument
// error.
//
// The dynamic half, a compile-time budget per engine, belongs to the
// engines (diff/).
func Prepare(bin []byte, lim wasm.ResourceLimits, o Options) ([]byte, error) {
	max := lim.MaxModuleSize
	if max == 0 {
		max = wasm.DefaultLimits().MaxModuleSize
	}
	if uint64(len(bin)) > uint64(max) {
		return nil, fmt.Errorf("module of %d bytes: %w: more than %d bytes", len(bin), wasm.ErrLimit, max)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := wasm.Validate(m, lim); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	im, err := Instrument(m, o)
	if err != nil {
		return nil, fmt.Errorf("instrument: %w", err)
	}
	return wasm.Encode(im), nil
}
