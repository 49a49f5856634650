package meter

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// emitter rewrites one function body.
type emitter struct {
	out []byte
	g   globals
	o   *Options
	p   *priced

	weight uint64 // depth units of this function's frame

	// Scratch locals, allocated on first use after the function's own.
	nextLocal uint32
	added     []wasm.LocalDecl
	scratch   map[wasm.ValType]uint32
}

// scratchLocal returns the index of the function's scratch local of type t.
// Each type has one: the inserted sequences never nest.
func (e *emitter) scratchLocal(t wasm.ValType) uint32 {
	if i, ok := e.scratch[t]; ok {
		return i
	}
	i := e.nextLocal
	e.nextLocal++
	e.scratch[t] = i
	e.added = append(e.added, wasm.LocalDecl{Count: 1, Type: t})
	return i
}

func (e *emitter) op(op wasm.Opcode) { e.out = append(e.out, byte(op)) }
func (e *emitter) idx(op wasm.Opcode, i uint32) {
	e.out = wasm.AppendInstr(e.out, wasm.Instr{Op: op, Index: i})
}
func (e *emitter) i64(v uint64) {
	e.out = wasm.AppendInstr(e.out, wasm.Instr{Op: wasm.OpI64Const, Const: v})
}
func (e *emitter) i32(v uint32) {
	e.out = wasm.AppendInstr(e.out, wasm.Instr{Op: wasm.OpI32Const, Const: uint64(int64(int32(v)))})
}
func (e *emitter) ifEmpty() { e.out = append(e.out, byte(wasm.OpIf), byte(wasm.BlockEmpty)) }
func (e *emitter) block(bt wasm.BlockType) {
	e.out = wasm.AppendInstr(e.out, wasm.Instr{Op: wasm.OpBlock, Block: bt})
}
func (e *emitter) trap(exit uint32, zeroGas bool) {
	if zeroGas {
		e.i64(0)
		e.idx(wasm.OpGlobalSet, e.g.gas)
	}
	e.i32(exit)
	e.idx(wasm.OpGlobalSet, e.g.exit)
	e.op(wasm.OpUnreachable)
}

// charge emits the static gas check of a segment:
//
//	global.get $gas; i64.const c; i64.lt_u
//	if  i64.const 0; global.set $gas; i32.const 1; global.set $exit; unreachable  end
//	global.get $gas; i64.const c; i64.sub; global.set $gas
//
// Comparing before subtracting keeps gas an unsigned 64-bit count (any limit
// works) and leaves 0 on out-of-gas, so gas used = limit.
func (e *emitter) charge(c uint64) {
	e.idx(wasm.OpGlobalGet, e.g.gas)
	e.i64(c)
	e.op(wasm.OpI64LtU)
	e.ifEmpty()
	e.trap(ExitOutOfGas, true)
	e.op(wasm.OpEnd)
	e.idx(wasm.OpGlobalGet, e.g.gas)
	e.i64(c)
	e.op(wasm.OpI64Sub)
	e.idx(wasm.OpGlobalSet, e.g.gas)
}

// instrumentFunc returns the instrumented code of one defined function of
// type ft. m is the module being built (a block type may be appended).
func instrumentFunc(m *wasm.Module, c *wasm.Code, ft wasm.FuncType, g globals, p *priced, o *Options) (wasm.Code, error) {
	b, err := analyze(c.Body, p)
	if err != nil {
		return wasm.Code{}, err
	}
	if o.MaxBlocksPerFunc != 0 && len(b.segs) > int(o.MaxBlocksPerFunc) {
		return wasm.Code{}, fmt.Errorf("%w: %d basic blocks exceed %d", wasm.ErrLimit, len(b.segs), o.MaxBlocksPerFunc)
	}
	if o.MaxBrTableTargets != 0 && b.maxTargets > o.MaxBrTableTargets {
		return wasm.Code{}, fmt.Errorf("%w: a br_table with %d targets exceeds %d", wasm.ErrLimit, b.maxTargets, o.MaxBrTableTargets)
	}
	first := uint64(len(ft.Params)) + c.NumLocals
	if first+4 > 1<<32-1 {
		return wasm.Code{}, fmt.Errorf("%w", wasm.ErrTooManyLocals)
	}
	e := &emitter{
		out:       make([]byte, 0, len(c.Body)+len(c.Body)/2+64),
		g:         g,
		o:         o,
		p:         p,
		nextLocal: uint32(first),
		scratch:   map[wasm.ValType]uint32{},
		weight:    frameWeight(first),
	}
	depth := b.hasCalls
	if depth {
		e.enter()
		e.block(blockTypeFor(m, ft.Results))
	}
	last := len(b.instrs) - 1
	for i, in := range b.instrs {
		if in.seg >= 0 {
			if s := b.segs[in.seg]; !s.dead && s.cost > 0 {
				e.charge(s.cost)
			}
		}
		switch {
		case in.op == wasm.OpReturn && depth:
			e.leave()
		case in.op == wasm.OpMemoryGrow:
			e.dynamic(o.GrowCostPerPage, false)
		case in.op == wasm.OpMemoryCopy || in.op == wasm.OpMemoryFill || in.op == wasm.OpMemoryInit:
			e.dynamic(o.Costs.BulkPerWord, true)
		case in.op == wasm.OpTableCopy || in.op == wasm.OpTableFill || in.op == wasm.OpTableInit ||
			in.op == wasm.OpTableGrow:
			e.dynamic(o.Costs.TablePerElem, false)
		}
		e.out = append(e.out, c.Body[in.start:in.end]...)
		if o.CanonicalizeNaN {
			e.canonicalize(in.op)
		}
		if i == last && depth {
			// The original final end closed the wrapper block.
			e.leave()
			e.op(wasm.OpEnd)
		}
	}
	// Scratch local indexes were assigned in order, after the function's own.
	locals := append(append([]wasm.LocalDecl(nil), c.Locals...), e.added...)
	return wasm.Code{
		Locals:    locals,
		NumLocals: c.NumLocals + uint64(len(e.added)),
		Body:      e.out,
	}, nil
}
