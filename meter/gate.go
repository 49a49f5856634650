package meter

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// BlockLimits returns the resource limits for contract code in blocks:
// tighter than wasm.DefaultLimits (which admits any ordinary compiled
// program) so that, together with DefaultOptions' shape limits
// (MaxBlocksPerFunc, MaxBlocksPerModule, MaxBrTableTargets, MaxParams,
// MaxResults, MaxFrameSlots, MaxSlotBytes) and memory cap, every module
// Prepare accepts compiles on every engine within about 1.3 s of CPU time
// on the test machine's x86-64 cores (wazero's compiler: about 0.1 s), an
// eighth of the engines' compile budget. The numbers were measured with BenchmarkBombs
// (testdata/bombs) and diff's BenchmarkGateShapes (the costliest shapes
// at the caps); docs/metering.md lists them.
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

		// 4,096 locals: a frame's locals are at most 32 KiB, and the depth
		// counter weighs such a frame as at least 129 units.
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
// reading it, decodes it, validates it against lim (Wasm 2.0, SIMD
// included; the decoder refuses relaxed SIMD; every resource limit), instruments it with o (which applies o's shape
// limits and memory cap) and encodes the result, the binary every engine
// then compiles. Zero fields of lim take wasm.DefaultLimits' values; blocks
// use BlockLimits and DefaultOptions. Every error wraps the decoder's
// sentinel, wasm.ErrInvalid, wasm.ErrLimit or an Instrument
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
		return nil, fmt.Errorf("module of %d bytes: %w: more than MaxModuleSize (%d bytes)", len(bin), wasm.ErrLimit, max)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	heights, err := wasm.ValidateHeights(m, lim)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	im, err := instrumentWith(m, o, heights)
	if err != nil {
		return nil, fmt.Errorf("instrument: %w", err)
	}
	return wasm.Encode(im), nil
}

// Growth of a module under Instrument, beyond the original's own counts
// (docs/metering.md, "What else changes in the module").
const (
	// AddedNesting: $depth, $oog and $body around the body, plus the if of a
	// bulk cap at the deepest point of the original body.
	AddedNesting = 4
	// AddedLocals: the gas local and one scratch local each of i32, f32 and
	// f64.
	AddedLocals = 4
	// AddedGlobals and AddedExports: referee_gas, referee_exit,
	// referee_depth.
	AddedGlobals = 3
	AddedExports = 3
)

// InstrumentedLimits returns the resource limits an instrumented module
// satisfies when its original satisfied lim (zero fields of lim meaning
// their default, as for wasm.Validate): the same limits raised by what
// Instrument adds. Instrumentation may append one block type per function
// type with several results (so the type count at most doubles), and grows
// function bodies and the module by a factor that depends on the code, so
// those two sizes are not bounded here: the original's were.
func InstrumentedLimits(lim wasm.ResourceLimits) wasm.ResourceLimits {
	d := wasm.DefaultLimits()
	or := func(v, def uint32) uint64 {
		if v == 0 {
			return uint64(def)
		}
		return uint64(v)
	}
	sat := func(v uint64) uint32 { return uint32(min(v, 1<<32-1)) }
	return wasm.ResourceLimits{
		MaxModuleSize:      1<<32 - 1,
		MaxTypes:           sat(2 * or(lim.MaxTypes, d.MaxTypes)),
		MaxFuncs:           sat(or(lim.MaxFuncs, d.MaxFuncs)),
		MaxImports:         sat(or(lim.MaxImports, d.MaxImports)),
		MaxExports:         sat(or(lim.MaxExports, d.MaxExports) + AddedExports),
		MaxGlobals:         sat(or(lim.MaxGlobals, d.MaxGlobals) + AddedGlobals),
		MaxTables:          sat(or(lim.MaxTables, d.MaxTables)),
		MaxElemSegments:    sat(or(lim.MaxElemSegments, d.MaxElemSegments)),
		MaxDataSegments:    sat(or(lim.MaxDataSegments, d.MaxDataSegments)),
		MaxLocalsPerFunc:   sat(or(lim.MaxLocalsPerFunc, d.MaxLocalsPerFunc) + AddedLocals),
		MaxFuncBodySize:    1<<32 - 1,
		MaxBlockDepth:      sat(or(lim.MaxBlockDepth, d.MaxBlockDepth) + AddedNesting),
		MaxDataSegmentSize: sat(or(lim.MaxDataSegmentSize, d.MaxDataSegmentSize)),
		MaxElemSegmentSize: sat(or(lim.MaxElemSegmentSize, d.MaxElemSegmentSize)),
		MaxTableSize:       sat(or(lim.MaxTableSize, d.MaxTableSize)),
		MaxMemoryPages:     sat(or(lim.MaxMemoryPages, d.MaxMemoryPages)),
	}
}
