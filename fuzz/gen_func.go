package fuzz

import (
	"github.com/refereevm/referee/wasm"
)

// frame is one control frame of the function being generated: the body
// itself (op OpNop), or a block, loop or if.
type frame struct {
	op      wasm.Opcode
	params  []wasm.ValType
	results []wasm.ValType
	height  int // operand stack height below the frame's parameters
	inElse  bool
}

// labelTypes are the types a branch to the frame carries.
func (fr *frame) labelTypes() []wasm.ValType {
	if fr.op == wasm.OpLoop {
		return fr.params
	}
	return fr.results
}

// fgen generates one function body. Its operand stack mirrors the
// validator's, so every emitted instruction is type-correct.
type fgen struct {
	idx     int // function index
	g       *gen
	s       *Source
	locals  []wasm.ValType // parameters, then declared locals
	nparams int
	nuser   int // parameters and declared locals; scratch locals follow
	body    []byte
	stack   []wasm.ValType
	frames  []frame
	budget  int

	counter int           // local index of the loop counter, -1 if none yet
	scratch [256]uint32   // local index + 1 of the scratch local of each type
	fixTmp  [256][]uint32 // locals that hold block results while fixup drops values
}

func (g *gen) genCodes() {
	for f := range g.m.Funcs {
		var c wasm.Code
		if f == g.resetFunc {
			c.Body = wasm.AppendInstr(nil, wasm.Instr{Op: wasm.OpI32Const, Const: uint64(int64(int32(g.cfg.Fuel)))})
			c.Body = wasm.AppendInstr(c.Body, wasm.Instr{Op: wasm.OpGlobalSet, Index: uint32(g.fuel)}) // absolute index
			c.Body = append(c.Body, byte(wasm.OpEnd))
		} else {
			c = newFgen(g, f).build()
		}
		g.m.Codes = append(g.m.Codes, c)
	}
}

func newFgen(g *gen, f int) *fgen {
	ft := g.funcType(f)
	fg := &fgen{idx: f, g: g, s: g.s, nparams: len(ft.Params), counter: -1}
	fg.locals = append(fg.locals, ft.Params...)
	n := g.s.Intn(g.cfg.MaxLocals + 1)
	for i := 0; i < n; i++ {
		fg.locals = append(fg.locals, g.valType())
	}
	fg.nuser = len(fg.locals)
	fg.budget = g.s.Intn(g.cfg.MaxInstrs + 1)
	fg.frames = []frame{{op: wasm.OpNop, results: ft.Results}}
	return fg
}

// build generates the body and returns the code entry.
func (f *fgen) build() wasm.Code {
	if f.g.fuel >= 0 {
		f.fuelCheck()
	}
	if f.g.cfg.EnsureTermination {
		// The loop counter bounds the back edges that loopBranch emits, so
		// that most loops end before the fuel does.
		f.counter = int(f.newLocal(wasm.I32))
		f.i32Const(uint32(f.s.Intn(17)))
		f.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: uint32(f.counter)})
	}
	for len(f.frames) > 0 {
		if f.budget <= 0 {
			f.closeFrame(false)
			continue
		}
		f.budget--
		f.step()
	}
	var c wasm.Code
	for _, t := range f.locals[f.nparams:] {
		if n := len(c.Locals); n > 0 && c.Locals[n-1].Type == t {
			c.Locals[n-1].Count++
		} else {
			c.Locals = append(c.Locals, wasm.LocalDecl{Count: 1, Type: t})
		}
		c.NumLocals++
	}
	c.Body = f.body
	return c
}

// ---- emission and the type stack ----

func (f *fgen) emit(in wasm.Instr)        { f.body = wasm.AppendInstr(f.body, in) }
func (f *fgen) op(op wasm.Opcode)         { f.emit(wasm.Instr{Op: op}) }
func (f *fgen) push(t wasm.ValType)       { f.stack = append(f.stack, t) }
func (f *fgen) popN(n int)                { f.stack = f.stack[:len(f.stack)-n] }
func (f *fgen) cur() *frame               { return &f.frames[len(f.frames)-1] }
func (f *fgen) avail() int                { return len(f.stack) - f.cur().height }
func (f *fgen) top() wasm.ValType         { return f.stack[len(f.stack)-1] }
func (f *fgen) pushAll(ts []wasm.ValType) { f.stack = append(f.stack, ts...) }

func (f *fgen) i32Const(v uint32) {
	f.emit(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(int64(int32(v)))})
}

// constOf emits a constant of numeric type t with the given bits.
func (f *fgen) constOf(t wasm.ValType, bits uint64) {
	switch t {
	case wasm.I32:
		f.i32Const(uint32(bits))
	case wasm.I64:
		f.emit(wasm.Instr{Op: wasm.OpI64Const, Const: bits})
	case wasm.F32:
		f.emit(wasm.Instr{Op: wasm.OpF32Const, Const: bits & 0xffffffff})
	case wasm.F64:
		f.emit(wasm.Instr{Op: wasm.OpF64Const, Const: bits})
	default:
		panic("BUG: constOf " + t.String())
	}
}

// newLocal declares a local of type t and returns its index.
func (f *fgen) newLocal(t wasm.ValType) uint32 {
	f.locals = append(f.locals, t)
	return uint32(len(f.locals) - 1)
}

// scratchLocal is a local of type t that guard sequences use and never
// leave a live value in.
func (f *fgen) scratchLocal(t wasm.ValType) uint32 {
	if f.scratch[t] == 0 {
		f.scratch[t] = f.newLocal(t) + 1
	}
	return f.scratch[t] - 1
}

// fixLocal is the i-th local of type t used by fixup.
func (f *fgen) fixLocal(t wasm.ValType, i int) uint32 {
	for len(f.fixTmp[t]) <= i {
		f.fixTmp[t] = append(f.fixTmp[t], f.newLocal(t))
	}
	return f.fixTmp[t][i]
}

func typesEqual(a, b []wasm.ValType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ---- operands ----

// leaf pushes a value of type t without consuming anything: a constant, a
// local or global, or another operand-free instruction.
func (f *fgen) leaf(t wasm.ValType) {
	s := f.s
	switch s.Intn(8) {
	case 1, 2, 3:
		if l, ok := f.pickLocal(t); ok {
			f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
			f.push(t)
			return
		}
	case 4:
		if gi, ok := f.pickGlobal(t, false); ok {
			f.emit(wasm.Instr{Op: wasm.OpGlobalGet, Index: gi})
			f.push(t)
			return
		}
	case 5:
		if t == wasm.I32 && f.g.hasMem {
			f.emit(wasm.Instr{Op: wasm.OpMemorySize})
			f.push(t)
			return
		}
		if t == wasm.I32 && f.g.cfg.ReferenceTypes && len(f.g.m.Tables) > 0 {
			f.emit(wasm.Instr{Op: wasm.OpTableSize, Index: uint32(s.Intn(len(f.g.m.Tables)))})
			f.push(t)
			return
		}
	}
	switch t {
	case wasm.I32:
		f.i32Const(f.g.i32Const())
	case wasm.I64:
		f.constOf(t, f.g.i64Const())
	case wasm.F32:
		f.constOf(t, uint64(f.g.f32Const()))
	case wasm.F64:
		f.constOf(t, f.g.f64Const())
	case wasm.FuncRef:
		if d := f.g.declared; len(d) > 0 && s.Bool() {
			f.emit(wasm.Instr{Op: wasm.OpRefFunc, Index: d[s.Intn(len(d))]})
		} else {
			f.emit(wasm.Instr{Op: wasm.OpRefNull, Const: uint64(t)})
		}
	case wasm.ExternRef:
		f.emit(wasm.Instr{Op: wasm.OpRefNull, Const: uint64(t)})
	case wasm.V128:
		f.simdLeaf()
		return
	default:
		panic("BUG: leaf " + t.String())
	}
	f.push(t)
}

// pickLocal returns a random parameter or declared local of type t (never
// a scratch local: those may hold a NaN before canonicalization).
func (f *fgen) pickLocal(t wasm.ValType) (uint32, bool) {
	var n int
	for _, lt := range f.locals[:f.nuser] {
		if lt == t {
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	k := f.s.Intn(n)
	for i, lt := range f.locals[:f.nuser] {
		if lt == t {
			if k == 0 {
				return uint32(i), true
			}
			k--
		}
	}
	panic("BUG: pickLocal")
}

// pickGlobal returns a random global of type t, imported or defined
// (mutable ones only if mutable is set; never the fuel counter then).
func (f *fgen) pickGlobal(t wasm.ValType, mutable bool) (uint32, bool) {
	var cands []uint32
	gi := 0
	for _, im := range f.g.m.Imports {
		if im.Kind != wasm.ExternGlobal {
			continue
		}
		// The provider's fuel counter may be read but not set.
		if im.Global.Type == t && (!mutable || im.Global.Mutable && im.Name != "fuel") {
			cands = append(cands, uint32(gi))
		}
		gi++
	}
	for i, gl := range f.g.m.Globals {
		i += f.g.globBase
		if gl.Type.Type == t && (!mutable || gl.Type.Mutable && i != f.g.fuel) {
			cands = append(cands, uint32(i))
		}
	}
	if len(cands) == 0 {
		return 0, false
	}
	return cands[f.s.Intn(len(cands))], true
}

// operands arranges for the stack to end with values of types ts: it keeps
// the longest run of values on top of the stack that matches a prefix of ts
// and pushes leaves for the rest. The caller pops them.
func (f *fgen) operands(ts []wasm.ValType) {
	k := min(f.avail(), len(ts))
	for ; k > 0; k-- {
		if typesEqual(f.stack[len(f.stack)-k:], ts[:k]) {
			break
		}
	}
	for _, t := range ts[k:] {
		f.leaf(t)
	}
}

// ---- control frames ----

// closeFrame ends the innermost frame. After an unconditional branch
// (unreachable is set) the stack is polymorphic and needs no fixing.
func (f *fgen) closeFrame(unreachable bool) {
	fr := f.cur()
	if unreachable {
		f.stack = f.stack[:fr.height]
	} else {
		f.fixup(fr.height, fr.results)
	}
	if fr.op == wasm.OpIf && !fr.inElse && (!typesEqual(fr.params, fr.results) || f.s.Bool()) {
		f.op(wasm.OpElse)
		fr.inElse = true
		f.stack = append(f.stack[:fr.height], fr.params...)
		return
	}
	f.op(wasm.OpEnd)
	f.stack = append(f.stack[:fr.height], fr.results...)
	f.frames = f.frames[:len(f.frames)-1]
}

// fixup makes the values above height exactly want, keeping computed values
// where their types allow.
func (f *fgen) fixup(height int, want []wasm.ValType) {
	n, k := len(f.stack)-height, len(want)
	if n >= k && typesEqual(f.stack[len(f.stack)-k:], want) {
		if n == k {
			return
		}
		// Park the top k values in locals, drop the rest, fetch them back.
		var tmp [16]uint32
		ls := tmp[:0]
		for i, t := range want {
			ls = append(ls, f.fixLocal(t, i))
		}
		for i := k - 1; i >= 0; i-- {
			f.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: ls[i]})
		}
		for j := height + n - k - 1; j >= height; j-- {
			f.discard(f.stack[j])
		}
		for _, l := range ls {
			f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
		}
		f.stack = append(f.stack[:height], want...)
		return
	}
	p := 0
	for p < min(n, k) && f.stack[height+p] == want[p] {
		p++
	}
	for j := len(f.stack) - 1; j >= height+p; j-- {
		f.discard(f.stack[j])
	}
	f.stack = f.stack[:height+p]
	for _, t := range want[p:] {
		f.leaf(t)
	}
}

// fuelCheck emits the stack-neutral fuel decrement:
//
//	global.get fuel; i32.eqz; if; unreachable; end
//	global.get fuel; i32.const 1; i32.sub; global.set fuel
func (f *fgen) fuelCheck() {
	g := uint32(f.g.fuel)
	f.emit(wasm.Instr{Op: wasm.OpGlobalGet, Index: g})
	f.op(wasm.OpI32Eqz)
	f.emit(wasm.Instr{Op: wasm.OpIf, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
	f.op(wasm.OpUnreachable)
	f.op(wasm.OpEnd)
	f.emit(wasm.Instr{Op: wasm.OpGlobalGet, Index: g})
	f.i32Const(1)
	f.op(wasm.OpI32Sub)
	f.emit(wasm.Instr{Op: wasm.OpGlobalSet, Index: g})
}

// discard removes the value of type t on top of the stack (the caller
// updates the tracked stack): with Config.Checksum it folds the value into
// the checksum global, so that values the generated code computes and then
// throws away still reach an observable result:
//
//	(as i64 bits) global.get $cs; i64.const P; i64.mul; i64.xor; global.set $cs
//
// Funcref and externref values fold as ref.is_null.
func (f *fgen) discard(t wasm.ValType) {
	if f.g.checksum < 0 {
		f.op(wasm.OpDrop)
		return
	}
	if t == wasm.V128 {
		f.discardV128()
		return
	}
	switch t {
	case wasm.I32:
		f.op(wasm.OpI64ExtendI32U)
	case wasm.I64:
	case wasm.F32:
		f.op(wasm.OpI32ReinterpretF32)
		f.op(wasm.OpI64ExtendI32U)
	case wasm.F64:
		f.op(wasm.OpI64ReinterpretF64)
	default:
		f.op(wasm.OpRefIsNull)
		f.op(wasm.OpI64ExtendI32U)
	}
	cs := uint32(f.g.checksum)
	f.emit(wasm.Instr{Op: wasm.OpGlobalGet, Index: cs})
	f.emit(wasm.Instr{Op: wasm.OpI64Const, Const: 0x100000001b3}) // the 64-bit FNV prime
	f.op(wasm.OpI64Mul)
	f.op(wasm.OpI64Xor)
	f.emit(wasm.Instr{Op: wasm.OpGlobalSet, Index: cs})
}

// observe folds a copy of the value of type t on top of the stack into the
// checksum and leaves the value in place: local.tee $s; local.get $s; fold.
func (f *fgen) observe(t wasm.ValType) {
	l := f.scratchLocal(t)
	f.emit(wasm.Instr{Op: wasm.OpLocalTee, Index: l})
	f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: l})
	f.discard(t)
}

// counterCond pushes the condition of a counted back edge: it decrements
// the function's loop counter and is true while the counter stays positive.
//
//	local.get $c; i32.const 1; i32.sub; local.tee $c; i32.const 0; i32.gt_s
func (f *fgen) counterCond() {
	c := uint32(f.counter)
	f.emit(wasm.Instr{Op: wasm.OpLocalGet, Index: c})
	f.i32Const(1)
	f.op(wasm.OpI32Sub)
	f.emit(wasm.Instr{Op: wasm.OpLocalTee, Index: c})
	f.i32Const(0)
	f.op(wasm.OpI32GtS)
	f.push(wasm.I32)
}
