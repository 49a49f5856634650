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
	gas    uint32 // the local that holds gas left while the function runs

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
func (e *emitter) brIf(label uint32) { e.idx(wasm.OpBrIf, label) }

// load and store move gas left between referee_gas and the function's gas
// local. The local is loaded on entry and after every call, and stored
// before every call and return, so the callee, a host function and the host
// after the call see the exact value; a trap leaves the global as of the
// last store (docs/metering.md: a trapped transaction is charged its whole
// gas limit).
func (e *emitter) load() {
	e.idx(wasm.OpGlobalGet, e.g.gas)
	e.idx(wasm.OpLocalSet, e.gas)
}

func (e *emitter) store() {
	e.idx(wasm.OpLocalGet, e.gas)
	e.idx(wasm.OpGlobalSet, e.g.gas)
}

// charge emits the static gas check of a segment at nesting nest:
//
//	local.get $g; i64.const c; i64.sub; local.tee $g; i64.const 0; i64.lt_s; br_if $oog
//
// Gas left lives in the local $g (a register on a compiling engine) and is
// a signed count: referee_gas must be below 2^63, and a charge (at most
// 2^56, MaxCost times 2^32) cannot wrap it. $oog is the function's shared
// out-of-gas exit (instrumentFunc), nest+1 labels out.
func (e *emitter) charge(c uint64, nest uint32) {
	e.idx(wasm.OpLocalGet, e.gas)
	e.i64(c)
	e.subCheck(nest)
}

// subCheck emits the common tail of a charge: the amount is on the stack
// above $g.
func (e *emitter) subCheck(nest uint32) {
	e.op(wasm.OpI64Sub)
	e.idx(wasm.OpLocalTee, e.gas)
	e.i64(0)
	e.op(wasm.OpI64LtS)
	e.brIf(nest + 1)
}

// instrumentFunc returns the instrumented code of one defined function of
// type ft. m is the module being built (a block type may be appended).
//
// The body becomes
//
//	block $depth                    (only if the function calls: depth.go)
//	  block $oog
//	    <depth check and increment> (only if the function calls)
//	    block $body (result <the function's results>)
//	      <the original body, with a gas check at the start of each segment;
//	       its final end closes $body>
//	    <depth decrement>           (only if the function calls)
//	    return
//	  end
//	  i64.const 0; global.set $gas; i32.const 1; global.set $exit; unreachable
//	end
//	i32.const 2; global.set $exit; unreachable
//
// Every check branches to the shared exit blocks with br_if, so a check adds
// one basic block to what a compiling engine sees (an inline if would add
// two), and no existing branch crosses inserted code: a branch to the
// body's own label keeps its relative depth and now lands on $body's end.
func instrumentFunc(m *wasm.Module, c *wasm.Code, ft wasm.FuncType, height uint32, g globals, p *priced, o *Options) (wasm.Code, int, error) {
	b, err := analyze(c.Body, p)
	if err != nil {
		return wasm.Code{}, 0, err
	}
	if o.MaxBlocksPerFunc != 0 && b.blocks > int(o.MaxBlocksPerFunc) {
		return wasm.Code{}, 0, fmt.Errorf("%w: %d basic blocks exceed MaxBlocksPerFunc (%d)", wasm.ErrLimit, b.blocks, o.MaxBlocksPerFunc)
	}
	if o.MaxBrTableTargets != 0 && b.maxTargets > o.MaxBrTableTargets {
		return wasm.Code{}, 0, fmt.Errorf("%w: a br_table with %d targets exceeds MaxBrTableTargets (%d)", wasm.ErrLimit, b.maxTargets, o.MaxBrTableTargets)
	}
	first := uint64(len(ft.Params)) + c.NumLocals
	if first+4 > 1<<32-1 {
		return wasm.Code{}, 0, fmt.Errorf("%w", wasm.ErrTooManyLocals)
	}
	e := &emitter{
		out:       make([]byte, 0, len(c.Body)+len(c.Body)/2+64),
		g:         g,
		o:         o,
		p:         p,
		nextLocal: uint32(first),
		scratch:   map[wasm.ValType]uint32{},
		weight:    frameWeight(first + uint64(height) + FrameOverhead),
	}
	// A leaf of weight 1 cannot nest further and stays uncounted (the
	// common small helper pays nothing); a heavier leaf is counted, so no
	// frame of FrameSlots slots or more is ever outside the budget.
	depth := b.hasCalls || e.weight > 1
	empty := wasm.BlockType{Kind: wasm.BlockEmpty}
	if depth {
		e.block(empty) // $depth
	}
	e.block(empty) // $oog
	if depth {
		e.enter()
	}
	e.gas = e.nextLocal
	e.nextLocal++
	e.added = append(e.added, wasm.LocalDecl{Count: 1, Type: wasm.I64})
	e.load()
	e.block(blockTypeFor(m, ft.Results)) // $body
	for i, in := range b.instrs {
		if in.seg >= 0 {
			if s := b.segs[in.seg]; !s.dead && s.cost > 0 {
				e.charge(s.cost, in.nest)
			}
		}
		switch {
		case in.op == wasm.OpReturn:
			e.store()
			if depth {
				e.leave()
			}
		case in.op == wasm.OpCall || in.op == wasm.OpCallIndirect:
			e.store()
		case in.op == wasm.OpMemoryGrow:
			e.dynamic(o.GrowCostPerPage, false, in.nest)
		case in.op == wasm.OpMemoryCopy || in.op == wasm.OpMemoryFill || in.op == wasm.OpMemoryInit:
			if in.op != wasm.OpMemoryFill {
				e.bulkCap(o.MaxBulkBytes)
			}
			e.dynamic(o.Costs.BulkPerWord, true, in.nest)
		case in.op == wasm.OpTableCopy || in.op == wasm.OpTableFill || in.op == wasm.OpTableInit ||
			in.op == wasm.OpTableGrow:
			if in.op == wasm.OpTableCopy || in.op == wasm.OpTableInit {
				e.bulkCap(o.MaxBulkElems)
			}
			e.dynamic(o.Costs.TablePerElem, false, in.nest)
		}
		e.out = append(e.out, c.Body[in.start:in.end]...)
		if in.op == wasm.OpCall || in.op == wasm.OpCallIndirect {
			e.load()
		}
		if o.CanonicalizeNaN {
			e.canonicalize(b.instrs, i)
		}
	}
	// The original final end closed $body.
	e.store()
	if depth {
		e.leave()
	}
	e.op(wasm.OpReturn)
	e.op(wasm.OpEnd) // $oog
	e.i64(0)
	e.idx(wasm.OpGlobalSet, e.g.gas)
	e.i32(ExitOutOfGas)
	e.idx(wasm.OpGlobalSet, e.g.exit)
	e.op(wasm.OpUnreachable)
	if depth {
		e.op(wasm.OpEnd) // $depth
		e.i32(ExitCallDepth)
		e.idx(wasm.OpGlobalSet, e.g.exit)
		e.op(wasm.OpUnreachable)
	}
	e.op(wasm.OpEnd)
	// Scratch local indexes were assigned in order, after the function's own.
	locals := append(append([]wasm.LocalDecl(nil), c.Locals...), e.added...)
	return wasm.Code{
		Locals:    locals,
		NumLocals: c.NumLocals + uint64(len(e.added)),
		Body:      e.out,
	}, b.blocks, nil
}
