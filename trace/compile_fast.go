package trace

import "github.com/refereevm/referee/wasm"

// fastBuilder derives a function's register form (trace/fast.go) from its
// ops.
type fastBuilder struct {
	m   *Machine
	fc  *funcCode
	ops []op
	// height[i] is the operand-stack height just before op i and live[i]
	// whether op i can be reached (code after br, return, unreachable and
	// br_table up to the block's end cannot).
	height []uint32
	live   []bool
}

// maxFused caps an fop's instruction count (its n is a uint16).
const maxFused = 1 << 15

// buildFast sets fc.fast.
func (m *Machine) buildFast(fc *funcCode, height []uint32, live []bool) {
	b := &fastBuilder{m: m, fc: fc, ops: fc.ops, height: height, live: live}
	fc.fast = make([]fop, len(fc.ops))
	for i := range fc.ops {
		f := b.at(i)
		f.sp = b.sp(i)
		if !b.inFrame(&f) {
			f = fop{kind: fDefer, n: 1, sp: f.sp}
		}
		fc.fast[i] = f
	}
}

// sp is the slot above the operand-stack top before op i.
func (b *fastBuilder) sp(i int) uint32 { return uint32(b.fc.numLocals) + b.height[i] }

// inFrame reports whether every slot f names lies inside the frame: true
// for every fop built from valid code; a check, not an assumption, so that
// no module can make execFast index outside its frame.
func (b *fastBuilder) inFrame(f *fop) bool {
	size := uint64(b.fc.frameSize)
	in := func(slot uint32, count uint64) bool { return uint64(slot)+count <= size }
	switch k := f.kind; {
	case k == fDefer || k == fSkip || k == fJump:
		return true
	case k == fBrCopy:
		return in(f.x, f.k) && in(f.d, f.k)
	case k == fBrIfNZ || k == fBrIfZ || k == fBrTable || k == fGlobalSet:
		return in(f.x, 1)
	case k == fBrIfCopy:
		return in(f.y, 1) && in(f.x, f.k) && in(f.d, f.k)
	case k == fReturn:
		return in(f.x, f.k)
	case k == fBrIfReturn:
		return in(f.y, 1) && in(f.x, f.k)
	case k == fCall:
		return in(f.x, 0)
	case k == fCallIndirect:
		return in(f.y, 1) && in(f.x, 0)
	case k == fConst || k == fGlobalGet || k == fMemorySize:
		return in(f.d, 1) && in(f.t, 1)
	case k == fSelect:
		return in(f.d, 1) && in(f.x, 1) && in(f.y, 1) && in(f.t, 1)
	case k >= fStore32 && k <= fStore16A:
		return in(f.x, 1) && in(f.t, 1)
	case k >= fLoad32 && k <= fI64Load32SK:
		return in(f.d, 1) && in(f.t, 1) && in(f.x, 1)
	case k >= fBrEq:
		return in(f.x, 1) && ((f.kind-fBrEq)%2 == 1 || in(f.y, 1))
	}
	// fMov and the numeric value ops; y is a slot unless a K form
	return in(f.d, 1) && in(f.t, 1) && in(f.x, 1) && (isKForm[f.kind] || in(f.y, 1))
}

// kind is the kind of op j, or 0 (unreachable) past the end.
func (b *fastBuilder) kind(j int) wasm.Opcode {
	if j >= len(b.ops) {
		return wasm.OpUnreachable
	}
	return b.ops[j].kind
}

// operand is a value pushed by a local.get (a slot) or a numeric constant.
type operand struct {
	slot  uint32
	imm   uint64
	isImm bool
}

// src returns the operand op j pushes, if it is a local.get or a constant.
func (b *fastBuilder) src(j int) (operand, bool) {
	switch b.kind(j) {
	case wasm.OpLocalGet:
		return operand{slot: b.ops[j].a}, true
	case wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const:
		return operand{imm: b.ops[j].c, isImm: true}, true
	}
	return operand{}, false
}

// at builds the fop that starts at op i.
func (b *fastBuilder) at(i int) fop {
	if !b.live[i] {
		return fop{kind: fDefer, n: 1}
	}
	o := &b.ops[i]
	if isNoop(o.kind) {
		// A run of no-ops joins the fop after it (the op after a run is
		// never a no-op, and the function's final end is not one).
		k := min(int(o.b)+1, maxFused)
		f := b.at(i + k)
		if f.kind == fDefer || int(f.n)+k > maxFused {
			return fop{kind: fSkip, n: uint16(k)}
		}
		f.n += uint16(k)
		return f
	}
	if f, ok := b.store(i); ok {
		return f
	}
	if f, ok := b.branchOn(i); ok {
		return f
	}
	if f, n, res, op, ok := b.expr(i); ok {
		if g, ok := b.compareBranch(f, i+n, op); ok {
			g.n = uint16(n + 1)
			return g
		}
		return b.withDest(f, i+n, n, res)
	}
	return b.single(i)
}

// withDest completes a value fop of n instructions whose result lands in
// stack slot res: a local.set or local.tee at op j takes it into its local.
func (b *fastBuilder) withDest(f fop, j, n int, res uint32) fop {
	switch b.kind(j) {
	case wasm.OpLocalSet:
		f.d, f.t = b.ops[j].a, b.ops[j].a
		n++
	case wasm.OpLocalTee:
		f.d, f.t = b.ops[j].a, res
		n++
	default:
		f.d, f.t = res, res
	}
	f.n = uint16(n)
	return f
}

// commutes maps a binary instruction to the one that computes the same
// with its operands swapped (itself for the commutative ones).
var commutes = map[wasm.Opcode]wasm.Opcode{
	wasm.OpI32Add: wasm.OpI32Add, wasm.OpI32Mul: wasm.OpI32Mul, wasm.OpI32And: wasm.OpI32And,
	wasm.OpI32Or: wasm.OpI32Or, wasm.OpI32Xor: wasm.OpI32Xor, wasm.OpI32Eq: wasm.OpI32Eq, wasm.OpI32Ne: wasm.OpI32Ne,
	wasm.OpI32LtS: wasm.OpI32GtS, wasm.OpI32GtS: wasm.OpI32LtS, wasm.OpI32LeS: wasm.OpI32GeS, wasm.OpI32GeS: wasm.OpI32LeS,
	wasm.OpI32LtU: wasm.OpI32GtU, wasm.OpI32GtU: wasm.OpI32LtU, wasm.OpI32LeU: wasm.OpI32GeU, wasm.OpI32GeU: wasm.OpI32LeU,
	wasm.OpI64Add: wasm.OpI64Add, wasm.OpI64Mul: wasm.OpI64Mul, wasm.OpI64And: wasm.OpI64And,
	wasm.OpI64Or: wasm.OpI64Or, wasm.OpI64Xor: wasm.OpI64Xor, wasm.OpI64Eq: wasm.OpI64Eq, wasm.OpI64Ne: wasm.OpI64Ne,
	wasm.OpI64LtS: wasm.OpI64GtS, wasm.OpI64GtS: wasm.OpI64LtS, wasm.OpI64LeS: wasm.OpI64GeS, wasm.OpI64GeS: wasm.OpI64LeS,
	wasm.OpI64LtU: wasm.OpI64GtU, wasm.OpI64GtU: wasm.OpI64LtU, wasm.OpI64LeU: wasm.OpI64GeU, wasm.OpI64GeU: wasm.OpI64LeU,
}

// binary builds the fop of binary instruction op on x and second operand y.
func binaryFop(op wasm.Opcode, x uint32, y operand) (fop, bool) {
	bk, ok := binaryKinds[op]
	switch {
	case !ok:
		return fop{}, false
	case !y.isImm:
		return fop{kind: bk.kind, x: x, y: y.slot}, true
	case bk.withK:
		return fop{kind: bk.kind + 1, x: x, k: y.imm}, true
	}
	return fop{}, false
}

// expr matches a value computation at op i: up to two operands pushed by
// local.get or constants, then the one instruction that consumes them (a
// binary or unary numeric instruction or a load, whose address may be an
// i32.add of a constant). It returns the fop without its destination, its
// instruction count, the stack slot its result lands in, and the consuming
// instruction.
func (b *fastBuilder) expr(i int) (f fop, n int, res uint32, op wasm.Opcode, ok bool) {
	sp := b.sp(i)
	s1, ok1 := b.src(i)
	s2, ok2 := b.src(i + 1)
	// address + constant, then a load
	if ok1 && !s1.isImm && ok2 && s2.isImm && b.kind(i+2) == wasm.OpI32Add {
		if lk, ok := loadKinds[b.kind(i+3)]; ok {
			return fop{kind: lk + 1, x: s1.slot, k: s2.imm, y: uint32(b.ops[i+3].c)}, 4, sp, b.kind(i + 3), true
		}
	}
	if ok1 && s1.isImm && b.kind(i+1) == wasm.OpI32Add && sp > uint32(b.fc.numLocals) {
		if lk, ok := loadKinds[b.kind(i+2)]; ok {
			return fop{kind: lk + 1, x: sp - 1, k: s1.imm, y: uint32(b.ops[i+2].c)}, 3, sp - 1, b.kind(i + 2), true
		}
	}
	// two operands, then a binary instruction
	if ok1 && ok2 {
		op := b.kind(i + 2)
		if !s1.isImm {
			if f, ok := binaryFop(op, s1.slot, s2); ok {
				return f, 3, sp, op, true
			}
		} else if !s2.isImm {
			if sw, ok := commutes[op]; ok {
				if f, ok := binaryFop(sw, s2.slot, s1); ok {
					return f, 3, sp, sw, true
				}
			}
		}
	}
	// one operand: the second of a binary instruction, or the only one of
	// a unary instruction or a load
	if ok1 {
		op := b.kind(i + 1)
		if sp > uint32(b.fc.numLocals) {
			if f, ok := binaryFop(op, sp-1, s1); ok {
				return f, 2, sp - 1, op, true
			}
		}
		if !s1.isImm {
			if uk, ok := unaryKinds[op]; ok {
				return fop{kind: uk, x: s1.slot}, 2, sp, op, true
			}
			if lk, ok := loadKinds[op]; ok {
				return fop{kind: lk, x: s1.slot, y: uint32(b.ops[i+1].c)}, 2, sp, op, true
			}
		}
		return fop{}, 0, 0, 0, false
	}
	// the instruction alone, on stack operands
	op = b.kind(i)
	if _, ok := binaryKinds[op]; ok && sp >= uint32(b.fc.numLocals)+2 {
		f, _ := binaryFop(op, sp-2, operand{slot: sp - 1})
		return f, 1, sp - 2, op, true
	}
	if sp >= uint32(b.fc.numLocals)+1 {
		if uk, ok := unaryKinds[op]; ok {
			return fop{kind: uk, x: sp - 1}, 1, sp - 1, op, true
		}
		if lk, ok := loadKinds[op]; ok {
			return fop{kind: lk, x: sp - 1, y: uint32(b.ops[i].c)}, 1, sp - 1, op, true
		}
	}
	return fop{}, 0, 0, 0, false
}

// brKinds maps an integer comparison to the kind of its fused
// compare-and-branch (slots; the next kind is the K form), and negated to
// the comparison that is true exactly when it is false.
var brKinds = map[wasm.Opcode]fkind{
	wasm.OpI32Eq: fBrEq, wasm.OpI64Eq: fBrEq, wasm.OpI32Ne: fBrNe, wasm.OpI64Ne: fBrNe,
	wasm.OpI32LtU: fBrLtU, wasm.OpI64LtU: fBrLtU, wasm.OpI32GtU: fBrGtU, wasm.OpI64GtU: fBrGtU,
	wasm.OpI32LeU: fBrLeU, wasm.OpI64LeU: fBrLeU, wasm.OpI32GeU: fBrGeU, wasm.OpI64GeU: fBrGeU,
	wasm.OpI32LtS: fBrI32LtS, wasm.OpI32GtS: fBrI32GtS, wasm.OpI32LeS: fBrI32LeS, wasm.OpI32GeS: fBrI32GeS,
	wasm.OpI64LtS: fBrI64LtS, wasm.OpI64GtS: fBrI64GtS, wasm.OpI64LeS: fBrI64LeS, wasm.OpI64GeS: fBrI64GeS,
}

var negated = map[wasm.Opcode]wasm.Opcode{
	wasm.OpI32Eq: wasm.OpI32Ne, wasm.OpI32Ne: wasm.OpI32Eq, wasm.OpI64Eq: wasm.OpI64Ne, wasm.OpI64Ne: wasm.OpI64Eq,
	wasm.OpI32LtS: wasm.OpI32GeS, wasm.OpI32GeS: wasm.OpI32LtS, wasm.OpI32GtS: wasm.OpI32LeS, wasm.OpI32LeS: wasm.OpI32GtS,
	wasm.OpI32LtU: wasm.OpI32GeU, wasm.OpI32GeU: wasm.OpI32LtU, wasm.OpI32GtU: wasm.OpI32LeU, wasm.OpI32LeU: wasm.OpI32GtU,
	wasm.OpI64LtS: wasm.OpI64GeS, wasm.OpI64GeS: wasm.OpI64LtS, wasm.OpI64GtS: wasm.OpI64LeS, wasm.OpI64LeS: wasm.OpI64GtS,
	wasm.OpI64LtU: wasm.OpI64GeU, wasm.OpI64GeU: wasm.OpI64LtU, wasm.OpI64GtU: wasm.OpI64LeU, wasm.OpI64LeU: wasm.OpI64GtU,
}

// plainBrIf reports whether op j is a br_if that moves no values (so that
// taking it is a jump) and returns its target.
func (b *fastBuilder) plainBrIf(j int) (uint32, bool) {
	if b.kind(j) == wasm.OpBrIf && b.ops[j].c == 0 {
		return b.ops[j].a, true
	}
	return 0, false
}

// isKForm marks the K forms of binaryKinds.
var isKForm = func() (k [256]bool) {
	for _, bk := range binaryKinds {
		if bk.withK {
			k[bk.kind+1] = true
		}
	}
	return k
}()

// compareBranch fuses the value fop f of comparison op with a br_if or if
// at op j. An if branches (to its else) when the comparison is false.
func (b *fastBuilder) compareBranch(f fop, j int, op wasm.Opcode) (fop, bool) {
	eqz := op == wasm.OpI32Eqz || op == wasm.OpI64Eqz
	if target, ok := b.plainBrIf(j); ok {
		if eqz {
			return fop{kind: fBrIfZ, x: f.x, t: target}, true
		}
		if bk, ok := brKinds[op]; ok {
			return b.cmpBranch(bk, f, target), true
		}
		return fop{}, false
	}
	if b.kind(j) != wasm.OpIf {
		return fop{}, false
	}
	target := b.ops[j].a
	if eqz {
		return fop{kind: fBrIfNZ, x: f.x, t: target}, true
	}
	if bk, ok := brKinds[negated[op]]; ok {
		return b.cmpBranch(bk, f, target), true
	}
	return fop{}, false
}

// cmpBranch is the compare-and-branch of kind bk on the operands of the
// comparison fop f.
func (b *fastBuilder) cmpBranch(bk fkind, f fop, target uint32) fop {
	if isKForm[f.kind] {
		bk++
	}
	return fop{kind: bk, x: f.x, y: f.y, k: f.k, t: target}
}

// branchOn fuses a local.get with the br_if or if that tests it.
func (b *fastBuilder) branchOn(i int) (fop, bool) {
	if b.kind(i) != wasm.OpLocalGet {
		return fop{}, false
	}
	x := b.ops[i].a
	if target, ok := b.plainBrIf(i + 1); ok {
		return fop{kind: fBrIfNZ, n: 2, x: x, t: target}, true
	}
	if b.kind(i+1) == wasm.OpIf {
		return fop{kind: fBrIfZ, n: 2, x: x, t: b.ops[i+1].a}, true
	}
	return fop{}, false
}

// store matches a store and the local.get and constants that push its
// address and value, longest first:
//
//	local.get a; i32.const k; i32.add; V; store    (address a+k)
//	i32.const k; i32.add; V; store                 (address top+k)
//	local.get a; V; store
//	V; store                                       (address on the stack)
//	store                                          (both on the stack)
//
// where V, the value, is a local.get or a constant (a local.get only in the
// address-add forms, whose k is taken).
func (b *fastBuilder) store(i int) (fop, bool) {
	sp := b.sp(i)
	s0, ok0 := b.src(i)
	s1, ok1 := b.src(i + 1)
	storeAt := func(j int) (fkind, bool) { sk, ok := storeKinds[b.kind(j)]; return sk, ok }
	valueOf := func(f fop, v operand, sk fkind) fop {
		if v.isImm {
			f.kind, f.k = sk+1, v.imm
		} else {
			f.kind, f.t = sk, v.slot
		}
		return f
	}
	if ok0 && !s0.isImm && ok1 && s1.isImm && b.kind(i+2) == wasm.OpI32Add {
		if v, ok := b.src(i + 3); ok && !v.isImm {
			if sk, ok := storeAt(i + 4); ok {
				return fop{kind: sk + 2, n: 5, x: s0.slot, k: s1.imm, t: v.slot, y: uint32(b.ops[i+4].c)}, true
			}
		}
	}
	if ok0 && s0.isImm && b.kind(i+1) == wasm.OpI32Add && sp > uint32(b.fc.numLocals) {
		if v, ok := b.src(i + 2); ok && !v.isImm {
			if sk, ok := storeAt(i + 3); ok {
				return fop{kind: sk + 2, n: 4, x: sp - 1, k: s0.imm, t: v.slot, y: uint32(b.ops[i+3].c)}, true
			}
		}
	}
	if ok0 && !s0.isImm && ok1 {
		if sk, ok := storeAt(i + 2); ok {
			return valueOf(fop{n: 3, x: s0.slot, y: uint32(b.ops[i+2].c)}, s1, sk), true
		}
	}
	if ok0 && sp > uint32(b.fc.numLocals) {
		if sk, ok := storeAt(i + 1); ok {
			return valueOf(fop{n: 2, x: sp - 1, y: uint32(b.ops[i+1].c)}, s0, sk), true
		}
	}
	if sk, ok := storeAt(i); ok && sp >= uint32(b.fc.numLocals)+2 {
		return fop{kind: sk, n: 1, x: sp - 2, t: sp - 1, y: uint32(b.ops[i].c)}, true
	}
	return fop{}, false
}

// single builds the fop of op i on its own, or with the local.set or
// local.tee that takes the value it pushes (local.get, constants,
// global.get): control, calls, variables, select, memory.size. Anything
// else is left to execGeneral.
func (b *fastBuilder) single(i int) fop {
	o := &b.ops[i]
	sp := b.sp(i)
	fn := b.fc
	switch o.kind {
	case wasm.OpLocalGet:
		return b.withDest(fop{kind: fMov, x: o.a}, i+1, 1, sp)
	case wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const, wasm.OpRefNull, wasm.OpRefFunc:
		return b.withDest(fop{kind: fConst, k: o.c}, i+1, 1, sp)
	case wasm.OpGlobalGet:
		return b.withDest(fop{kind: fGlobalGet, k: uint64(o.a)}, i+1, 1, sp)
	case wasm.OpMemorySize:
		return b.withDest(fop{kind: fMemorySize}, i+1, 1, sp)
	case wasm.OpLocalSet, wasm.OpLocalTee:
		return fop{kind: fMov, n: 1, x: sp - 1, d: o.a, t: o.a}
	case wasm.OpI64ExtendI32U, wasm.OpI32ReinterpretF32, wasm.OpI64ReinterpretF64,
		wasm.OpF32ReinterpretI32, wasm.OpF64ReinterpretI64: // bits unchanged
		return fop{kind: fSkip, n: 1}
	case wasm.OpDrop:
		return fop{kind: fSkip, n: 1}
	case wasm.OpGlobalSet:
		return fop{kind: fGlobalSet, n: 1, x: sp - 1, k: uint64(o.a)}
	case wasm.OpSelect, wasm.OpSelectT:
		return fop{kind: fSelect, n: 1, d: sp - 3, x: sp - 3, y: sp - 2, t: sp - 1}
	case wasm.OpIf:
		return fop{kind: fBrIfZ, n: 1, x: sp - 1, t: o.a}
	case wasm.OpElse:
		return fop{kind: fJump, n: 1, t: o.a}
	case wasm.OpBr:
		if o.c == 0 {
			return fop{kind: fJump, n: 1, t: o.a}
		}
		return fop{kind: fBrCopy, n: 1, x: sp - o.b, d: sp - o.b - uint32(o.c), k: uint64(o.b), t: o.a}
	case wasm.OpBrIf:
		if o.c == 0 {
			return fop{kind: fBrIfNZ, n: 1, x: sp - 1, t: o.a}
		}
		return fop{kind: fBrIfCopy, n: 1, y: sp - 1, x: sp - 1 - o.b, d: sp - 1 - o.b - uint32(o.c), k: uint64(o.b), t: o.a}
	case wasm.OpBrTable:
		return fop{kind: fBrTable, n: 1, x: sp - 1, t: o.a, k: uint64(o.b)}
	case opBrIfReturn:
		nr := uint32(fn.numResults)
		return fop{kind: fBrIfReturn, n: 1, y: sp - 1, x: sp - 1 - nr, k: uint64(nr)}
	case wasm.OpReturn, opEndReturn, opBrReturn:
		nr := uint32(fn.numResults)
		return fop{kind: fReturn, n: 1, x: sp - nr, k: uint64(nr)}
	case wasm.OpCall:
		np := uint32(len(b.m.store.funcs[o.a].typ.Params))
		return fop{kind: fCall, n: 1, x: sp - np, k: uint64(o.a)}
	case wasm.OpCallIndirect:
		np := uint32(len(fn.inst.mod.Types[o.b].Params))
		return fop{kind: fCallIndirect, n: 1, y: sp - 1, x: sp - 1 - np, t: o.a, k: o.c}
	}
	return fop{kind: fDefer, n: 1}
}

// binaryKinds maps a binary numeric instruction to its register-form kind
// (slots); withK marks those whose next kind is the K form (immediate second
// operand).
var binaryKinds = map[wasm.Opcode]struct {
	kind  fkind
	withK bool
}{
	wasm.OpI32And:      {fAnd, true},
	wasm.OpI64And:      {fAnd, true},
	wasm.OpI32Or:       {fOr, true},
	wasm.OpI64Or:       {fOr, true},
	wasm.OpI32Xor:      {fXor, true},
	wasm.OpI64Xor:      {fXor, true},
	wasm.OpI32Eq:       {fEq, true},
	wasm.OpI64Eq:       {fEq, true},
	wasm.OpI32Ne:       {fNe, true},
	wasm.OpI64Ne:       {fNe, true},
	wasm.OpI32LtU:      {fLtU, true},
	wasm.OpI64LtU:      {fLtU, true},
	wasm.OpI32GtU:      {fGtU, true},
	wasm.OpI64GtU:      {fGtU, true},
	wasm.OpI32LeU:      {fLeU, true},
	wasm.OpI64LeU:      {fLeU, true},
	wasm.OpI32GeU:      {fGeU, true},
	wasm.OpI64GeU:      {fGeU, true},
	wasm.OpI32Add:      {fI32Add, true},
	wasm.OpI32Sub:      {fI32Sub, true},
	wasm.OpI32Mul:      {fI32Mul, true},
	wasm.OpI32Shl:      {fI32Shl, true},
	wasm.OpI32ShrS:     {fI32ShrS, true},
	wasm.OpI32ShrU:     {fI32ShrU, true},
	wasm.OpI32Rotl:     {fI32Rotl, true},
	wasm.OpI32Rotr:     {fI32Rotr, true},
	wasm.OpI32LtS:      {fI32LtS, true},
	wasm.OpI32GtS:      {fI32GtS, true},
	wasm.OpI32LeS:      {fI32LeS, true},
	wasm.OpI32GeS:      {fI32GeS, true},
	wasm.OpI32DivU:     {fI32DivU, true},
	wasm.OpI32RemU:     {fI32RemU, true},
	wasm.OpI32DivS:     {fI32DivS, true},
	wasm.OpI32RemS:     {fI32RemS, true},
	wasm.OpI64Add:      {fI64Add, true},
	wasm.OpI64Sub:      {fI64Sub, true},
	wasm.OpI64Mul:      {fI64Mul, true},
	wasm.OpI64Shl:      {fI64Shl, true},
	wasm.OpI64ShrS:     {fI64ShrS, true},
	wasm.OpI64ShrU:     {fI64ShrU, true},
	wasm.OpI64Rotl:     {fI64Rotl, true},
	wasm.OpI64Rotr:     {fI64Rotr, true},
	wasm.OpI64LtS:      {fI64LtS, true},
	wasm.OpI64GtS:      {fI64GtS, true},
	wasm.OpI64LeS:      {fI64LeS, true},
	wasm.OpI64GeS:      {fI64GeS, true},
	wasm.OpI64DivU:     {fI64DivU, true},
	wasm.OpI64RemU:     {fI64RemU, true},
	wasm.OpI64DivS:     {fI64DivS, true},
	wasm.OpI64RemS:     {fI64RemS, true},
	wasm.OpF32Add:      {fF32Add, false},
	wasm.OpF32Sub:      {fF32Sub, false},
	wasm.OpF32Mul:      {fF32Mul, false},
	wasm.OpF32Div:      {fF32Div, false},
	wasm.OpF32Copysign: {fF32Copysign, false},
	wasm.OpF32Eq:       {fF32Eq, false},
	wasm.OpF32Ne:       {fF32Ne, false},
	wasm.OpF32Lt:       {fF32Lt, false},
	wasm.OpF32Gt:       {fF32Gt, false},
	wasm.OpF32Le:       {fF32Le, false},
	wasm.OpF32Ge:       {fF32Ge, false},
	wasm.OpF64Add:      {fF64Add, false},
	wasm.OpF64Sub:      {fF64Sub, false},
	wasm.OpF64Mul:      {fF64Mul, false},
	wasm.OpF64Div:      {fF64Div, false},
	wasm.OpF64Copysign: {fF64Copysign, false},
	wasm.OpF64Eq:       {fF64Eq, false},
	wasm.OpF64Ne:       {fF64Ne, false},
	wasm.OpF64Lt:       {fF64Lt, false},
	wasm.OpF64Gt:       {fF64Gt, false},
	wasm.OpF64Le:       {fF64Le, false},
	wasm.OpF64Ge:       {fF64Ge, false},
}

// unaryKinds maps a unary numeric instruction to its register-form kind.
var unaryKinds = map[wasm.Opcode]fkind{
	wasm.OpI32Eqz:         fEqz,
	wasm.OpI64Eqz:         fEqz,
	wasm.OpI32Clz:         fI32Clz,
	wasm.OpI32Ctz:         fI32Ctz,
	wasm.OpI32Extend8S:    fI32Extend8S,
	wasm.OpI32Extend16S:   fI32Extend16S,
	wasm.OpI32WrapI64:     fI32WrapI64,
	wasm.OpI64Clz:         fI64Clz,
	wasm.OpI64Ctz:         fI64Ctz,
	wasm.OpI64Extend8S:    fI64Extend8S,
	wasm.OpI64Extend16S:   fI64Extend16S,
	wasm.OpI64Extend32S:   fI64Extend32S,
	wasm.OpI64ExtendI32S:  fI64ExtendI32S,
	wasm.OpF32Abs:         fF32Abs,
	wasm.OpF32Neg:         fF32Neg,
	wasm.OpF32Sqrt:        fF32Sqrt,
	wasm.OpF64Abs:         fF64Abs,
	wasm.OpF64Neg:         fF64Neg,
	wasm.OpF64Sqrt:        fF64Sqrt,
	wasm.OpF64ConvertI32S: fF64ConvertI32S,
	wasm.OpF64ConvertI32U: fF64ConvertI32U,
	wasm.OpF64ConvertI64S: fF64ConvertI64S,
	wasm.OpF32ConvertI32S: fF32ConvertI32S,
	wasm.OpF64PromoteF32:  fF64PromoteF32,
	wasm.OpF32DemoteF64:   fF32DemoteF64,
	wasm.OpI32TruncF64S:   fI32TruncF64S,
	wasm.OpI32TruncF64U:   fI32TruncF64U,
	wasm.OpI64TruncF64S:   fI64TruncF64S,
}

// loadKinds maps a load to its register-form kind; the next kind is its
// address-add (K) form.
var loadKinds = map[wasm.Opcode]fkind{
	wasm.OpI32Load:    fLoad32,
	wasm.OpF32Load:    fLoad32,
	wasm.OpI64Load32U: fLoad32,
	wasm.OpI64Load:    fLoad64,
	wasm.OpF64Load:    fLoad64,
	wasm.OpI32Load8U:  fLoad8U,
	wasm.OpI64Load8U:  fLoad8U,
	wasm.OpI32Load16U: fLoad16U,
	wasm.OpI64Load16U: fLoad16U,
	wasm.OpI32Load8S:  fI32Load8S,
	wasm.OpI64Load8S:  fI64Load8S,
	wasm.OpI32Load16S: fI32Load16S,
	wasm.OpI64Load16S: fI64Load16S,
	wasm.OpI64Load32S: fI64Load32S,
}

// storeKinds maps a store to its register-form kind; the next two are its
// value-immediate (V) and address-add (A) forms.
var storeKinds = map[wasm.Opcode]fkind{
	wasm.OpI32Store:   fStore32,
	wasm.OpF32Store:   fStore32,
	wasm.OpI64Store32: fStore32,
	wasm.OpI64Store:   fStore64,
	wasm.OpF64Store:   fStore64,
	wasm.OpI32Store8:  fStore8,
	wasm.OpI64Store8:  fStore8,
	wasm.OpI32Store16: fStore16,
	wasm.OpI64Store16: fStore16,
}
