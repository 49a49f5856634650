package narrow

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// How a body is instrumented (docs/dispute.md, "Narrowing engines").
//
// The step counter, the stop target, HashFrom and the two result hashes
// live in locals of each function, so that a compiling engine keeps them
// in registers; the globals hold the counter and the hashes wherever
// anything else can see them: they are loaded at the function's entry and
// after each call, and written before each call, each exit from the
// function, each instruction that may trap and each stop.
//
// A run of straight instructions (no control instruction among them) is
// counted by one check at its start. If the stop target lies beyond it
// and all of its steps are at most HashFrom, the counter advances by its
// length and the run executes as it is, unhashed. Otherwise it executes in
// a copy that checks for the stop before every instruction, as control
// instructions always do, and hashes every observed result. An
// instruction that may trap in the plain copy first writes the counter as
// it is exactly there, so a trap leaves the exact count.
//
// Each hashed result folds into two sums: h1 += bits and h2 += h1, which
// weighs every term by how many folds followed it. A differing result
// changes h1; both sums return to the other engine's values only if later
// differences cancel in both at once (a difference moved to another step
// changes h2). Neither sum makes the next fold wait for a multiplication,
// as a multiply-and-xor chain would.
//
// HashFrom is what makes the search cheap: a narrowing round only compares
// states whose results up to its interval's start are known to be equal,
// so its runs need not hash them (Narrow).

// locals added to every function, after the base function's own
type counterLocals struct {
	i32, i64, f32, f64  uint32 // scratch: the last observed result of each type
	v128                uint32 // (and of a vector instruction)
	steps, stop, h1, h2 uint32
	lim                 uint32 // min(stop target, HashFrom)
	next                uint32 // the counter after a straight run
}

func (s *counterLocals) of(t wasm.ValType) uint32 {
	switch t {
	case wasm.I32:
		return s.i32
	case wasm.I64:
		return s.i64
	case wasm.F32:
		return s.f32
	case wasm.V128:
		return s.v128
	}
	return s.f64
}

// bodyWriter instruments one function body.
type bodyWriter struct {
	out   []byte
	loc   counterLocals
	g     added
	plant *Plant
	env   sigEnv
	// typeIndex returns the index of a function type in the module being
	// built, adding it if needed (block types of the straight runs).
	typeIndex func(wasm.FuncType) uint32
	// prevType, prevHas: the observed result of the textually previous
	// instruction, which a stop reports as the last step's result
	prevType wasm.ValType
	prevHas  bool
}

func (w *bodyWriter) ap(in wasm.Instr)  { w.out = wasm.AppendInstr(w.out, in) }
func (w *bodyWriter) op(op wasm.Opcode) { w.ap(wasm.Instr{Op: op}) }
func (w *bodyWriter) get(l uint32)      { w.ap(wasm.Instr{Op: wasm.OpLocalGet, Index: l}) }
func (w *bodyWriter) set(l uint32)      { w.ap(wasm.Instr{Op: wasm.OpLocalSet, Index: l}) }
func (w *bodyWriter) tee(l uint32)      { w.ap(wasm.Instr{Op: wasm.OpLocalTee, Index: l}) }
func (w *bodyWriter) gget(g uint32)     { w.ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g}) }
func (w *bodyWriter) gset(g uint32)     { w.ap(wasm.Instr{Op: wasm.OpGlobalSet, Index: g}) }
func (w *bodyWriter) i64(v uint64)      { w.ap(wasm.Instr{Op: wasm.OpI64Const, Const: v}) }
func (w *bodyWriter) i32(v uint32) {
	w.ap(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(int64(int32(v)))})
}

// load reads the counter, the stop target, min(stop target, HashFrom) and
// the hashes into the locals.
func (w *bodyWriter) load() {
	w.gget(w.g.stop)
	w.set(w.loc.stop)
	w.gget(w.g.lim)
	w.set(w.loc.lim)
	w.reload()
}

// reload reads the counter and the hashes back after a call.
func (w *bodyWriter) reload() {
	w.gget(w.g.steps)
	w.set(w.loc.steps)
	w.gget(w.g.hash)
	w.set(w.loc.h1)
	w.gget(w.g.hash2)
	w.set(w.loc.h2)
}

// flush writes the counter, less ahead (the steps counted in advance and
// not yet taken), and, if hashes, the hashes to the globals. (Code that
// does not hash leaves them as the last hashing code wrote them.)
func (w *bodyWriter) flush(ahead uint64, hashes bool) {
	w.get(w.loc.steps)
	if ahead != 0 {
		w.i64(ahead)
		w.op(wasm.OpI64Sub)
	}
	w.gset(w.g.steps)
	if hashes {
		w.flushHashes()
	}
}

func (w *bodyWriter) flushHashes() {
	w.get(w.loc.h1)
	w.gset(w.g.hash)
	w.get(w.loc.h2)
	w.gset(w.g.hash2)
}

// toI64 converts the value of type t on the stack to its zero-extended bits.
func (w *bodyWriter) toI64(t wasm.ValType) {
	switch t {
	case wasm.I32:
		w.op(wasm.OpI64ExtendI32U)
	case wasm.F32:
		w.op(wasm.OpI32ReinterpretF32)
		w.op(wasm.OpI64ExtendI32U)
	case wasm.F64:
		w.op(wasm.OpI64ReinterpretF64)
	case wasm.V128:
		// lo + hi·K: both halves reach the hashes (the v128 is also in its
		// scratch local, which toI64 always follows a get of)
		w.ap(wasm.Instr{Op: wasm.OpSIMD, SIMD: 0x1d, Lane: 0})
		w.get(w.loc.v128)
		w.ap(wasm.Instr{Op: wasm.OpSIMD, SIMD: 0x1d, Lane: 1})
		w.i64(0x9e3779b97f4a7c15)
		w.op(wasm.OpI64Mul)
		w.op(wasm.OpI64Add)
	}
}

// check counts the step at site and stops the run in front of it if the
// counter had reached the target: a stop function records the site, the
// last step's result, the counter (before this step) and the hashes, and
// traps.
func (w *bodyWriter) check(site uint32) {
	w.get(w.loc.steps)
	w.i64(1)
	w.op(wasm.OpI64Add)
	w.tee(w.loc.steps)
	w.get(w.loc.stop)
	w.op(wasm.OpI64GtU)
	w.ap(wasm.Instr{Op: wasm.OpIf, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
	w.i32(site)
	stop := w.g.stopNoVal
	if w.prevHas {
		// the textually previous instruction has a result: it was the
		// step just executed, since it cannot branch
		w.get(w.loc.of(w.prevType))
		w.toI64(w.prevType)
		stop = w.g.stopVal
	}
	w.get(w.loc.steps)
	w.get(w.loc.h1)
	w.get(w.loc.h2)
	w.ap(wasm.Instr{Op: wasm.OpCall, Index: stop})
	w.op(wasm.OpEnd)
}

// observe follows an instruction whose result of type t is observed: the
// planted fault, if any, then the result is kept in its scratch local and,
// if hash, folded into the hashes.
func (w *bodyWriter) observe(in *wasm.Instr, t wasm.ValType, hash bool) {
	tmp := w.loc.of(t)
	if w.planted(in, t) {
		// result ^= (++count == Nth)
		w.set(tmp)
		w.gget(w.g.plantCount)
		w.i64(1)
		w.op(wasm.OpI64Add)
		w.gset(w.g.plantCount)
		w.get(tmp)
		w.gget(w.g.plantCount)
		w.i64(w.plant.Nth)
		w.op(wasm.OpI64Eq)
		if t == wasm.I64 {
			w.op(wasm.OpI64ExtendI32U)
			w.op(wasm.OpI64Xor)
		} else {
			w.op(wasm.OpI32Xor)
		}
	}
	w.tee(tmp)
	if !hash {
		return
	}
	// h1 += bits; h2 += h1
	w.get(tmp)
	w.toI64(t)
	w.get(w.loc.h1)
	w.op(wasm.OpI64Add)
	w.tee(w.loc.h1)
	w.get(w.loc.h2)
	w.op(wasm.OpI64Add)
	w.set(w.loc.h2)
}

// planted reports whether in carries the planted fault.
func (w *bodyWriter) planted(in *wasm.Instr, t wasm.ValType) bool {
	return w.plant != nil && in.Op == w.plant.Op && (t == wasm.I32 || t == wasm.I64)
}

// instr emits one straight instruction with its observation. stepwise: it
// is checked and counted alone, and its result hashed; otherwise ahead is
// the number of steps counted in advance that it and those after it in its
// run take, and its result is hashed if hash and kept, if keep, for a stop
// to report.
func (w *bodyWriter) instr(d *decoded, site uint32, stepwise bool, ahead uint64, keep, hash bool) {
	if stepwise {
		w.check(site)
		hash = true
	}
	if mayTrap(d.in.Op) || simdMayTrap(&d.in) {
		w.flush(ahead, hash)
	}
	w.out = append(w.out, d.raw...)
	t, ok := w.observed(&d.in)
	if ok && (hash || keep || w.planted(&d.in, t)) {
		w.observe(&d.in, t, hash)
	}
	w.prevType, w.prevHas = t, ok
}

func (w *bodyWriter) observed(in *wasm.Instr) (wasm.ValType, bool) {
	return observed(*in, w.env.locals, w.env.globals)
}

// decoded is one instruction of a base body and its bytes.
type decoded struct {
	in  wasm.Instr
	raw []byte
}

// rewriteBody instruments one function body. first is the site index of
// its first instruction.
func rewriteBody(m *wasm.Module, c *wasm.Code, fidx uint32, params []wasm.ValType, env sigEnv, first uint32, g added, plant *Plant, typeIndex func(wasm.FuncType) uint32) (wasm.Code, []Site, error) {
	locals := append([]wasm.ValType(nil), params...)
	for _, d := range c.Locals {
		for j := uint32(0); j < d.Count; j++ {
			locals = append(locals, d.Type)
		}
	}
	env.locals = locals
	base := uint32(len(locals))
	w := &bodyWriter{g: g, plant: plant, env: env, typeIndex: typeIndex,
		loc: counterLocals{base, base + 1, base + 2, base + 3, base + 10, base + 4, base + 5, base + 6, base + 7, base + 8, base + 9}}
	out := wasm.Code{
		Locals: append(append([]wasm.LocalDecl(nil), c.Locals...),
			wasm.LocalDecl{Count: 1, Type: wasm.I32}, wasm.LocalDecl{Count: 1, Type: wasm.I64},
			wasm.LocalDecl{Count: 1, Type: wasm.F32}, wasm.LocalDecl{Count: 1, Type: wasm.F64},
			wasm.LocalDecl{Count: 6, Type: wasm.I64}, wasm.LocalDecl{Count: 1, Type: wasm.V128}),
		NumLocals: c.NumLocals + 11,
	}
	var body []decoded
	var sites []Site
	for pc := uint32(0); pc < uint32(len(c.Body)); {
		in, next, err := wasm.ReadInstr(c.Body, pc)
		if err != nil {
			return out, nil, fmt.Errorf("instrument: function %d at +0x%x: %w", fidx, pc, err)
		}
		t, ok := observed(in, locals, env.globals)
		rt := wasm.ValType(0)
		if ok {
			rt = t
		}
		op := in.Opcode() // as the machine's steps name it
		sites = append(sites, Site{Func: fidx, Offset: c.BodyOffset + pc - m.CodeSectionOffset, Op: op, Result: rt})
		body = append(body, decoded{in: in, raw: c.Body[pc:next]})
		pc = next
	}
	w.out = make([]byte, 0, len(c.Body)*16)
	w.load()
	// open blocks (the function's own not counted) and whether the code
	// at the end of each was reachable when it opened; dead code follows
	// br, br_table, return and unreachable up to its block's end or else
	var entryDead []bool
	dead := false
	counted := false // the control instruction at i was counted with the run before it
	for i := 0; i < len(body); {
		d := &body[i]
		if straight(d.in.Op) {
			j := i
			for j < len(body) && straight(body[j].in.Op) {
				j++
			}
			counted = w.run(body[i:j], first+uint32(i), dead, j < len(body))
			i = j
			continue
		}
		if !counted {
			w.check(first + uint32(i))
		}
		counted = false
		exits := false // the instruction may leave the function
		switch d.in.Op {
		case wasm.OpBlock, wasm.OpLoop, wasm.OpIf:
			entryDead = append(entryDead, dead)
		case wasm.OpElse:
			if n := len(entryDead); n > 0 {
				dead = entryDead[n-1]
			}
		case wasm.OpEnd:
			if n := len(entryDead); n > 0 {
				dead = entryDead[n-1]
				entryDead = entryDead[:n-1]
			} else {
				exits = true // the function's final end
			}
		case wasm.OpBr, wasm.OpBrIf:
			exits = d.in.Index == uint32(len(entryDead))
		case wasm.OpBrTable:
			exits = d.in.Index == uint32(len(entryDead))
			for _, l := range d.in.Labels {
				exits = exits || l == uint32(len(entryDead))
			}
		case wasm.OpReturn, wasm.OpUnreachable:
			exits = true // leaves the function, or traps
		}
		call := d.in.Op == wasm.OpCall || d.in.Op == wasm.OpCallIndirect
		if exits || call {
			w.flush(0, true)
		}
		w.out = append(w.out, d.raw...)
		if call {
			w.reload()
		}
		switch d.in.Op {
		case wasm.OpBr, wasm.OpBrTable, wasm.OpReturn, wasm.OpUnreachable:
			dead = true
		}
		w.prevHas = false // control instructions have no observed result
		i++
	}
	out.Body = w.out
	return out, sites, nil
}

// run emits the straight run ins, whose first instruction is site first,
// and, if ctl, counts the control instruction that follows it (which the
// caller then emits without a check). Checks at its start choose one of
// three copies: the plain run counted in advance; the run counted in
// advance that hashes its results (some of its steps are after HashFrom);
// and the run that checks for the stop before each step (the stop falls
// inside it), which runs at most once per run of the program and so is
// written small: on the globals, through tick and fold. Dead code, and a
// run whose stack signature is not known, is counted step by step only. It
// reports whether it counted the control instruction.
func (w *bodyWriter) run(ins []decoded, first uint32, dead, ctl bool) bool {
	plain := make([]wasm.Instr, len(ins))
	for k := range ins {
		plain[k] = ins[k].in
	}
	params, results, ok := w.env.straightSig(plain)
	if dead || !ok {
		for k := range ins {
			w.instr(&ins[k], first+uint32(k), true, 0, false, true)
		}
		return false
	}
	bt := wasm.BlockType{Kind: wasm.BlockEmpty}
	switch {
	case len(params) == 0 && len(results) == 1:
		bt = wasm.BlockType{Kind: wasm.BlockValue, Val: results[0]}
	case len(params) > 0 || len(results) > 0:
		bt = wasm.BlockType{Kind: wasm.BlockTypeIndex, TypeIndex: w.typeIndex(wasm.FuncType{Params: params, Results: results})}
	}
	n := uint64(len(ins))
	if ctl {
		n++
	}
	prevType, prevHas := w.prevType, w.prevHas
	// next = steps + n; anything but the plain copy if next > lim =
	// min(stop, HashFrom)
	w.get(w.loc.steps)
	w.i64(n)
	w.op(wasm.OpI64Add)
	w.tee(w.loc.next)
	w.get(w.loc.lim)
	w.op(wasm.OpI64GtU)
	w.ap(wasm.Instr{Op: wasm.OpIf, Block: bt})
	{
		// the stop falls inside if next > stop
		w.get(w.loc.next)
		w.get(w.loc.stop)
		w.op(wasm.OpI64GtU)
		w.ap(wasm.Instr{Op: wasm.OpIf, Block: bt})
		w.stopCopy(ins, first, ctl)
		w.op(wasm.OpElse)
		w.prevType, w.prevHas = prevType, prevHas
		w.get(w.loc.next)
		w.set(w.loc.steps)
		for k := range ins {
			w.instr(&ins[k], first+uint32(k), false, n-uint64(k)-1, true, true)
		}
		w.flushHashes()
		w.op(wasm.OpEnd)
	}
	w.op(wasm.OpElse)
	w.prevType, w.prevHas = prevType, prevHas
	w.get(w.loc.next)
	w.set(w.loc.steps)
	for k := range ins {
		// the last result is kept for a stop right after the run to report
		w.instr(&ins[k], first+uint32(k), false, n-uint64(k)-1, k == len(ins)-1, false)
	}
	w.op(wasm.OpEnd)
	return ctl
}

// stopCopy is the copy of a straight run in which the stop falls: the
// counter and the hashes are moved to the globals, each step is checked and
// counted by tick (tickVal after an observed result, which it records) and
// each result folded by fold, and they are moved back at the end (reached
// only when the stop is at the control instruction after the run).
func (w *bodyWriter) stopCopy(ins []decoded, first uint32, ctl bool) {
	w.flush(0, true)
	tick := func(site uint32) {
		w.i32(site)
		if w.prevHas {
			w.get(w.loc.of(w.prevType))
			w.toI64(w.prevType)
			w.ap(wasm.Instr{Op: wasm.OpCall, Index: w.g.tickVal})
			return
		}
		w.ap(wasm.Instr{Op: wasm.OpCall, Index: w.g.tick})
	}
	for k := range ins {
		d := &ins[k]
		tick(first + uint32(k))
		w.out = append(w.out, d.raw...)
		t, ok := w.observed(&d.in)
		if ok {
			w.observe(&d.in, t, false)
			w.get(w.loc.of(t))
			w.toI64(t)
			w.ap(wasm.Instr{Op: wasm.OpCall, Index: w.g.fold})
		}
		w.prevType, w.prevHas = t, ok
	}
	if ctl {
		tick(first + uint32(len(ins)))
	}
	w.reload()
}
