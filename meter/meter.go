package meter

import (
	"errors"
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// Names of the globals the instrumented module exports (docs/metering.md).
const (
	ExportGas   = "referee_gas"   // mutable i64: gas left
	ExportExit  = "referee_exit"  // mutable i32: why the instrumentation trapped
	ExportDepth = "referee_depth" // mutable i32: current call depth
)

// Values of referee_exit after a trap. ExitNone after a trap means the trap
// is the guest's own.
const (
	ExitNone      = 0
	ExitOutOfGas  = 1
	ExitCallDepth = 2
	ExitBulkLimit = 3 // a memory.copy/init or table.copy/init longer than MaxBulkBytes/MaxBulkElems
)

// ErrReservedExport: the module already exports one of the names
// Instrument adds.
var ErrReservedExport = errors.New("export name reserved by the metering ABI")

// Options configures Instrument.
type Options struct {
	Costs CostTable
	// MaxCallDepth bounds the frames that may be active at once, in units:
	// entering one more traps with ExitCallDepth. A frame counts
	// 1 + (params + locals + operand height + FrameOverhead)/FrameSlots
	// units (operand height: the most values the function holds on its
	// operand stack, from validation), so that a function with big frames
	// cannot exhaust an engine's native stack before the counter traps. A
	// leaf function (no call, no call_indirect) of weight 1 is not
	// counted: it cannot nest further, so at most one such frame, under
	// FrameSlots slots, sits uncounted on top. 0 means 1024.
	MaxCallDepth uint32
	// GrowCostPerPage is charged per 64 KiB page of memory.grow's operand,
	// before growing (also when the grow then fails).
	GrowCostPerPage uint64
	// CanonicalizeNaN selects the "canonicalize" NaN profile: every NaN
	// produced by float arithmetic becomes the canonical NaN. false is the
	// "raw" profile.
	CanonicalizeNaN bool
	// StartGas is the initial value of referee_gas, the gas the start
	// function (if any) may use during instantiation. The host sets the
	// global before each invocation.
	StartGas uint64
	// MaxMemoryPages, if not 0, lowers the declared maximum of every
	// memory the module defines to this many 64 KiB pages, so that
	// memory.grow fails at the same size on every engine. A module whose
	// minimum exceeds it is refused.
	MaxMemoryPages uint32
	// MaxBlocksPerFunc, if not 0, refuses a function with more basic
	// blocks than this (metering segments plus one per br_if,
	// docs/metering.md): compiling engines build a dominator tree over them
	// in superlinear time.
	MaxBlocksPerFunc uint32
	// MaxBlocksPerModule, if not 0, refuses a module with more basic
	// blocks in all its functions together, not counting each function's
	// entry block (MaxFuncs bounds those).
	MaxBlocksPerModule uint32
	// MaxBulkBytes, if not 0, bounds memory.copy and memory.init: one of
	// more bytes sets referee_exit to ExitBulkLimit and traps before it
	// runs, and a passive data segment of more bytes is refused. The one-step
	// proof of such an instruction carries the bytes it moves
	// (docs/proof-format.md §5), so a block whose every step must be provable
	// caps them; memory.fill needs no cap (its proof is two chunks).
	MaxBulkBytes uint32
	// MaxBulkElems bounds table.copy and table.init, and passive element
	// segments, in elements, as MaxBulkBytes does.
	MaxBulkElems uint32
	// MaxBrTableTargets, if not 0, refuses a br_table with more targets:
	// wazero's compiler adds each as a predecessor in quadratic time.
	MaxBrTableTargets uint32
	// MaxParams and MaxResults, if not 0, refuse a function type (any
	// entry of the type section: functions, imports, call_indirect and
	// block types use them) with more params or results: wasmtime refuses
	// more than 1,000 of either, and 100 functions of 32,000 results made
	// wazero's compiler use 1.5 GB and 10 s.
	MaxParams  uint32
	MaxResults uint32
	// MaxFrameSlots, if not 0, refuses a function whose params, locals and
	// operand height (wasm.OperandHeights) add up to more.
	MaxFrameSlots uint32
	// MaxSlotBytes, if not 0, refuses a module whose functions' slots
	// (params + locals + operand height) times their body bytes add up to
	// more: compiling a function on Cranelift took time proportional to
	// the values it holds at once times its length (4 functions of 8,192
	// values in 63 KB each took 9.4 s of CPU), so this product, not either
	// factor, is what the gate bounds.
	MaxSlotBytes uint64
}

// FrameSlots is the number of slots (params, locals and operand-stack
// values) one unit of call depth stands for (Options.MaxCallDepth).
const FrameSlots = 32

// FrameOverhead is the slots the instrumentation adds to every frame and
// that the weight counts besides the original's: its scratch locals
// (AddedLocals) and the operands its inserted sequences push above the
// original's stack (at most 3, a gas charge or a NaN canonicalization),
// rounded up.
const FrameOverhead = 8

// DefaultOptions returns the options used for blocks: DefaultCosts, depth
// 1024, 1,000 gas per grown page (about the cost of zeroing 64 KiB),
// canonical NaNs, no gas for a start function, memories capped at 16 MiB.
func DefaultOptions() Options {
	return Options{
		Costs:           DefaultCosts(),
		MaxCallDepth:    1024,
		GrowCostPerPage: 1000,
		CanonicalizeNaN: true,
		MaxMemoryPages:  256,

		MaxBlocksPerFunc:   512,
		MaxBlocksPerModule: 2048,
		MaxBrTableTargets:  1024,

		MaxBulkBytes: 65536, // dispute.MaxCopyBytes
		MaxBulkElems: 8192,  // dispute.MaxCopyBytes / 8: a proof carries 8 bytes per element

		MaxParams:     128,
		MaxResults:    128,
		MaxFrameSlots: 8192,
		MaxSlotBytes:  1 << 28, // 1,024 slots x 256 KiB
	}
}

// Instrument returns a copy of m with metering added; m is not modified.
// m must be valid (wasm.Validate). The result adds no imports, so function,
// table and memory indexes are unchanged; it appends three globals after
// the module's own (existing global indexes are unchanged), their three
// exports, scratch locals after each function's own, and at most a few
// function types for block types.
func Instrument(m *wasm.Module, o Options) (*wasm.Module, error) {
	return instrumentWith(m, o, nil)
}

// instrumentWith is Instrument given m's operand heights if the caller has
// them (wasm.ValidateHeights), nil otherwise.
func instrumentWith(m *wasm.Module, o Options, heights []uint32) (*wasm.Module, error) {
	if err := o.Costs.check(); err != nil {
		return nil, err
	}
	if o.GrowCostPerPage > MaxCost {
		return nil, fmt.Errorf("grow cost per page %d exceeds %d", o.GrowCostPerPage, MaxCost)
	}
	if o.MaxCallDepth == 0 {
		o.MaxCallDepth = 1024
	}
	if o.MaxCallDepth > 1<<31 {
		return nil, fmt.Errorf("max call depth %d exceeds 2^31", o.MaxCallDepth)
	}
	for i, e := range m.Exports {
		if e.Name == ExportGas || e.Name == ExportExit || e.Name == ExportDepth {
			return nil, fmt.Errorf("export[%d] %q: %w", i, e.Name, ErrReservedExport)
		}
	}
	if len(m.Funcs) != len(m.Codes) {
		return nil, fmt.Errorf("%w", wasm.ErrFuncCodeMismatch)
	}
	for i, d := range m.Datas {
		if o.MaxBulkBytes != 0 && d.Mode == wasm.SegmentPassive && uint64(len(d.Init)) > uint64(o.MaxBulkBytes) {
			return nil, fmt.Errorf("data[%d]: %w: a passive segment of %d bytes exceeds MaxBulkBytes (%d)", i, wasm.ErrLimit, len(d.Init), o.MaxBulkBytes)
		}
	}
	for i, e := range m.Elems {
		if o.MaxBulkElems != 0 && e.Mode == wasm.SegmentPassive && uint64(len(e.Init)) > uint64(o.MaxBulkElems) {
			return nil, fmt.Errorf("elem[%d]: %w: a passive segment of %d elements exceeds MaxBulkElems (%d)", i, wasm.ErrLimit, len(e.Init), o.MaxBulkElems)
		}
	}
	out := *m
	out.Types = append([]wasm.FuncType(nil), m.Types...)
	out.Memories = append([]wasm.MemoryType(nil), m.Memories...)
	if o.MaxMemoryPages != 0 {
		for i := range out.Memories {
			l := &out.Memories[i].Limits
			if l.Min > o.MaxMemoryPages {
				return nil, fmt.Errorf("memory[%d]: %w: minimum of %d pages exceeds MaxMemoryPages (%d)",
					i, wasm.ErrLimit, l.Min, o.MaxMemoryPages)
			}
			if !l.HasMax || l.Max > o.MaxMemoryPages {
				l.Max, l.HasMax = o.MaxMemoryPages, true
			}
		}
	}
	base := uint32(m.NumImports(wasm.ExternGlobal) + len(m.Globals))
	g := globals{gas: base, exit: base + 1, depth: base + 2}
	out.Globals = append(append([]wasm.Global(nil), m.Globals...),
		wasm.Global{Type: wasm.GlobalType{Type: wasm.I64, Mutable: true},
			Init: wasm.ConstExpr{Op: byte(wasm.OpI64Const), Imm: o.StartGas}},
		wasm.Global{Type: wasm.GlobalType{Type: wasm.I32, Mutable: true},
			Init: wasm.ConstExpr{Op: byte(wasm.OpI32Const)}},
		wasm.Global{Type: wasm.GlobalType{Type: wasm.I32, Mutable: true},
			Init: wasm.ConstExpr{Op: byte(wasm.OpI32Const)}},
	)
	out.Exports = append(append([]wasm.Export(nil), m.Exports...),
		wasm.Export{Name: ExportGas, Kind: wasm.ExternGlobal, Index: g.gas},
		wasm.Export{Name: ExportExit, Kind: wasm.ExternGlobal, Index: g.exit},
		wasm.Export{Name: ExportDepth, Kind: wasm.ExternGlobal, Index: g.depth},
	)
	for i, t := range m.Types {
		if o.MaxParams != 0 && len(t.Params) > int(o.MaxParams) {
			return nil, fmt.Errorf("type[%d]: %w: %d params exceed MaxParams (%d)", i, wasm.ErrLimit, len(t.Params), o.MaxParams)
		}
		if o.MaxResults != 0 && len(t.Results) > int(o.MaxResults) {
			return nil, fmt.Errorf("type[%d]: %w: %d results exceed MaxResults (%d)", i, wasm.ErrLimit, len(t.Results), o.MaxResults)
		}
	}
	if heights == nil {
		var err error
		if heights, err = wasm.OperandHeights(m); err != nil {
			return nil, err
		}
	}
	p := newPriced(o.Costs)
	out.Codes = make([]wasm.Code, len(m.Codes))
	nimp := uint32(m.NumImports(wasm.ExternFunc))
	blocks := 0
	slotBytes := uint64(0)
	for i := range m.Codes {
		ft, ok := m.FuncType(nimp + uint32(i))
		if !ok {
			return nil, fmt.Errorf("func[%d]: unknown type", nimp+uint32(i))
		}
		slots := uint64(len(ft.Params)) + m.Codes[i].NumLocals + uint64(heights[i])
		if o.MaxFrameSlots != 0 && slots > uint64(o.MaxFrameSlots) {
			return nil, fmt.Errorf("func[%d]: %w: %d slots (params, locals and operand height) exceed MaxFrameSlots (%d)",
				nimp+uint32(i), wasm.ErrLimit, slots, o.MaxFrameSlots)
		}
		if slotBytes += slots * uint64(len(m.Codes[i].Body)); o.MaxSlotBytes != 0 && slotBytes > o.MaxSlotBytes {
			return nil, fmt.Errorf("func[%d]: %w: the functions' slots times their body bytes add up to more than MaxSlotBytes (%d)",
				nimp+uint32(i), wasm.ErrLimit, o.MaxSlotBytes)
		}
		c, n, err := instrumentFunc(&out, &m.Codes[i], ft, heights[i], g, p, &o)
		if err != nil {
			return nil, fmt.Errorf("func[%d]: %w", nimp+uint32(i), err)
		}
		if blocks += n - 1; o.MaxBlocksPerModule != 0 && blocks > int(o.MaxBlocksPerModule) {
			return nil, fmt.Errorf("func[%d]: %w: more basic blocks in the module than MaxBlocksPerModule (%d)",
				nimp+uint32(i), wasm.ErrLimit, o.MaxBlocksPerModule)
		}
		out.Codes[i] = c
	}
	return &out, nil
}

// globals holds the indexes of the added globals.
type globals struct{ gas, exit, depth uint32 }

// blockTypeFor returns a block type with no params and the given results,
// appending a function type to m if one is needed and missing.
func blockTypeFor(m *wasm.Module, results []wasm.ValType) wasm.BlockType {
	switch len(results) {
	case 0:
		return wasm.BlockType{Kind: wasm.BlockEmpty}
	case 1:
		return wasm.BlockType{Kind: wasm.BlockValue, Val: results[0]}
	}
	want := wasm.FuncType{Results: results}
	for i, t := range m.Types {
		if t.Equal(want) {
			return wasm.BlockType{Kind: wasm.BlockTypeIndex, TypeIndex: uint32(i)}
		}
	}
	m.Types = append(m.Types, wasm.FuncType{Results: append([]wasm.ValType(nil), results...)})
	return wasm.BlockType{Kind: wasm.BlockTypeIndex, TypeIndex: uint32(len(m.Types) - 1)}
}
