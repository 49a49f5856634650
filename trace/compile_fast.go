package trace

import "github.com/refereevm/referee/wasm"

// fastBuilder derives a function's register form (trace/fast.go) from its
// ops.
//
// Operands are resolved through deferred pushes: a local.get or constant
// whose value the same straight-line run consumes (no control instruction,
// call or write of that local in between) pushes nothing in the register
// form; the instruction that pops it reads the local or takes the constant
// instead, and its own fop starts at the push (so the push is one of its
// steps). Wherever execFast stops in between, it first writes the value
// into its stack slot (funcCode.lazy), so the stack is exactly the plain
// machine's whenever anything can see it. Entering in between (after
// execGeneral ran the push) is also exact: the slot then holds the value,
// and the local it equals has not been written since.
type fastBuilder struct {
	m   *Machine
	fc  *funcCode
	ops []op
	// height[i] is the operand-stack height just before op i and live[i]
	// whether op i can be reached (code after br, return, unreachable and
	// br_table up to the block's end cannot).
	height []uint32
	live   []bool
	// target[i] marks the ops a branch can continue at: they start fops.
	target []bool
	// deferred[i] marks a push at op i that the register form defers;
	// pulled maps (consumer op, stack slot) to the operand its push
	// deferred.
	deferred []bool
	pulled   map[[2]uint32]operand
	// memo holds the fop built at each op (built once: deferred pushes and
	// no-op runs join the fop after them).
	memo  []fop
	built []bool
}

// maxFused caps an fop's instruction count (its n is a uint16).
const maxFused = 1 << 15

// lazyVal is a deferred push that execFast writes when it stops between
// the push and its consumer: stack slot slot gets the operand.
type lazyVal struct {
	slot uint32
	src  operand
}

// buildFast sets fc.fast, fc.fastAt, fc.fastPC, fc.lazy and fc.lazyAt.
//
// The fops are laid out as the instructions are, one after the other: the
// fop that starts at op 0, then the one that starts where it ends, and so
// on, so that execFast finds the next fop at the next address instead of
// waiting for a load. An fop never spans a branch target (a target always
// starts one), nor a call's return point (a call ends one), so every entry
// into a function starts an fop; execution resumed anywhere else (after
// execGeneral ran an instruction in the middle of a fused run) continues
// in execGeneral up to the next start.
func (m *Machine) buildFast(fc *funcCode, height []uint32, live []bool) {
	n := len(fc.ops)
	b := &fastBuilder{m: m, fc: fc, ops: fc.ops, height: height, live: live, target: branchTargets(fc),
		deferred: make([]bool, n), pulled: map[[2]uint32]operand{}, memo: make([]fop, n), built: make([]bool, n)}
	exits := b.deferPushes()
	fc.fastAt = make([]int32, n)
	for p := 0; p < n; {
		f := b.at(p)
		f.sp = b.sp(p)
		if int(f.n) > n-p {
			f.n = 1
		}
		if !b.inFrame(&f) || !b.inCode(p, &f) {
			f.kind = fDefer
			fc.demoted++
		}
		if f.kind == fCall || f.kind == fCallIndirect {
			f.d = uint32(p + int(f.n)) // the return point
		}
		fc.fastAt[p] = int32(len(fc.fast))
		for q := p + 1; q < p+int(f.n); q++ {
			fc.fastAt[q] = -1
		}
		fc.fast = append(fc.fast, f)
		fc.fastPC = append(fc.fastPC, uint32(p))
		p += int(f.n)
	}
	// branch targets are op indices until here
	for c := range fc.fast {
		f := &fc.fast[c]
		if hasTarget(f.kind) {
			if t := fc.fastAt[f.t]; t >= 0 {
				f.t = uint32(t)
			} else {
				f.kind = fDefer // never for a target buildFast knows of
				fc.demoted++
			}
		}
	}
	// one more fop: execFast's ip may point one past the last fop (at this
	// fDefer) before it branches, and no further
	fc.fast = append(fc.fast, fop{kind: fDefer, n: 1})
	fc.fastPC = append(fc.fastPC, uint32(n))
	if len(b.pulled) > 0 {
		fc.lazyAt = make([]uint32, n+1)
		for i := 0; i < n; i++ {
			fc.lazyAt[i] = uint32(len(fc.lazy))
			fc.lazy = append(fc.lazy, exits[i]...)
		}
		fc.lazyAt[n] = uint32(len(fc.lazy))
	}
}

// hasTarget reports whether fops of kind k branch to their t.
func hasTarget(k fkind) bool {
	return k == fJump || k == fBrCopy || k == fBrIfNZ || k == fBrIfZ || k == fBrIfCopy || k >= fBrEq
}

// branchTargets marks the ops a branch of fc can continue at: the
// targets of br, br_if, if, else and br_table.
func branchTargets(fc *funcCode) []bool {
	t := make([]bool, len(fc.ops)+1)
	for i := range fc.ops {
		o := &fc.ops[i]
		switch o.kind {
		case wasm.OpBr, wasm.OpBrIf, wasm.OpIf, wasm.OpElse:
			if uint64(o.a) < uint64(len(t)) {
				t[o.a] = true
			}
		}
	}
	for _, bt := range fc.brTargets {
		if bt.pc != retTarget && uint64(bt.pc) < uint64(len(t)) {
			t[bt.pc] = true
		}
	}
	return t
}

// sp is the slot above the operand-stack top before op i.
func (b *fastBuilder) sp(i int) uint32 { return uint32(b.fc.numLocals) + b.height[i] }

// kind is the kind of op j, or unreachable past the end.
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

// opnd is the operand that op c pops from stack slot slot: the deferred
// push's local or constant, or the slot itself.
func (b *fastBuilder) opnd(c int, slot uint32) operand {
	if s, ok := b.pulled[[2]uint32{uint32(c), slot}]; ok {
		return s
	}
	return operand{slot: slot}
}

// pops is the number of operands op j pops, for the ops a deferred push
// may pass or be consumed by; ok is false for every other op.
func (b *fastBuilder) pops(j int) (n int, ok bool) {
	switch k := b.kind(j); k {
	case wasm.OpNop, wasm.OpLocalGet, wasm.OpGlobalGet, wasm.OpMemorySize, wasm.OpRefNull, wasm.OpRefFunc,
		wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const:
		return 0, true
	case wasm.OpLocalSet, wasm.OpLocalTee, wasm.OpGlobalSet, wasm.OpDrop, wasm.OpIf:
		return 1, true
	case wasm.OpBrIf:
		return 1, b.ops[j].c == 0
	case wasm.OpSelect, wasm.OpSelectT:
		return 3, true
	default:
		if _, ok := loadKinds[k]; ok {
			return 1, true
		}
		if _, ok := storeKinds[k]; ok {
			return 2, true
		}
		if _, ok := binaryKinds[k]; ok {
			return 2, true
		}
		if _, ok := unaryKinds[k]; ok {
			return 1, true
		}
	}
	return 0, false
}

// deferPushes decides which pushes the register form defers, fills pulled,
// and returns for each op the deferred pushes execFast must write when it
// stops in front of that op.
func (b *fastBuilder) deferPushes() [][]lazyVal {
	exits := make([][]lazyVal, len(b.ops))
	for i := range b.ops {
		s, ok := b.src(i)
		h := b.height[i]
		if b.kind(i) == wasm.OpLocalTee && h > 0 {
			// local.tee c is local.set c then local.get c: its push can
			// be deferred like a local.get's
			s, ok, h = operand{slot: b.ops[i].a}, true, h-1
		}
		if !ok || !b.live[i] {
			continue
		}
		for j := i + 1; j < len(b.ops); j++ {
			p, ok := b.pops(j)
			if !ok || !b.live[j] {
				break
			}
			if b.height[j]-uint32(p) <= h { // op j pops the pushed value
				slot := uint32(b.fc.numLocals) + h
				key := [2]uint32{uint32(j), slot}
				if _, taken := b.pulled[key]; !taken && b.accepts(j, int(h-(b.height[j]-uint32(p))), s) {
					b.pulled[key] = s
					b.deferred[i] = true
					for e := i + 1; e <= j; e++ {
						exits[e] = append(exits[e], lazyVal{slot: slot, src: s})
					}
				}
				break
			}
			if k := b.kind(j); k == wasm.OpIf || k == wasm.OpBrIf {
				break // control: only a consumer
			}
			if !s.isImm && (b.kind(j) == wasm.OpLocalSet || b.kind(j) == wasm.OpLocalTee) && b.ops[j].a == s.slot {
				break // the local changes before it is consumed
			}
		}
	}
	return exits
}

// accepts reports whether op c can take operand p (0 = the deepest it
// pops) from a deferred push of s: any op reads a local's slot, but a
// constant only replaces the second operand of a binary instruction with a
// K form, the address of a load or store (when the effective address fits
// the fop's 32-bit y), or the value of a store, local.set or local.tee, or
// what a drop drops.
func (b *fastBuilder) accepts(c, p int, s operand) bool {
	k := b.kind(c)
	if k == wasm.OpDrop || k == wasm.OpLocalSet || k == wasm.OpLocalTee {
		return true
	}
	if !s.isImm {
		switch k {
		case wasm.OpSelect, wasm.OpSelectT:
			return false
		}
		return true
	}
	if bk, ok := binaryKinds[k]; ok {
		return p == 1 && bk.withK
	}
	_, isLoad := loadKinds[k]
	_, isStore := storeKinds[k]
	switch {
	case (isLoad || isStore) && p == 0:
		return uint64(uint32(s.imm))+b.ops[c].c <= 0xffffffff
	case isStore && p == 1:
		return true
	}
	return false
}

// at is the fop that starts at op i.
func (b *fastBuilder) at(i int) fop {
	if !b.built[i] {
		b.memo[i] = b.build(i)
		b.built[i] = true
	}
	return b.memo[i]
}

// join is the fop of k instructions that execute nothing of their own (no-
// ops, deferred pushes) followed by the fop at op i+k.
func (b *fastBuilder) join(i, k int) fop {
	for q := i + 1; q <= i+k; q++ {
		if b.target[q] {
			return fop{kind: fSkip, n: uint16(q - i)} // a target starts its own fop
		}
	}
	f := b.at(i + k)
	if f.kind == fDefer || int(f.n)+k > maxFused {
		return fop{kind: fSkip, n: uint16(k)}
	}
	f.n += uint16(k)
	return f
}

func (b *fastBuilder) build(i int) fop {
	if !b.live[i] {
		return fop{kind: fDefer, n: 1}
	}
	o := &b.ops[i]
	switch {
	case isNoop(o.kind):
		// the op after a run of no-ops is never one, and the function's
		// final end is not one
		return b.join(i, min(int(o.b)+1, maxFused))
	case b.deferred[i] && o.kind != wasm.OpLocalTee:
		return b.join(i, 1)
	}
	if f, ok := b.store(i); ok {
		return f
	}
	if f, res, op, ok := b.value(i); ok {
		if g, ok := b.compareBranch(f, i+int(f.n), op); ok {
			g.n = f.n + 1
			return g
		}
		return b.withDest(f, i+int(f.n), res)
	}
	return b.single(i)
}

// withDest completes value fop f, whose result lands in stack slot res: a
// local.set at op j takes it into its local, and so does a local.tee whose
// push the register form defers (its consumer reads the local). A fop of a
// dual kind (fMov, fConst, fGlobalGet, fMemorySize writes both d and t)
// takes any local.tee: the local and the stack slot.
func (b *fastBuilder) withDest(f fop, j int, res uint32) fop {
	dual := f.kind == fMov || f.kind == fConst || f.kind == fGlobalGet || f.kind == fMemorySize
	switch {
	case b.kind(j) == wasm.OpLocalSet, b.kind(j) == wasm.OpLocalTee && b.deferred[j]:
		f.d, f.t = b.ops[j].a, b.ops[j].a
		f.n++
	case b.kind(j) == wasm.OpLocalTee && dual:
		f.d, f.t = b.ops[j].a, res
		f.n++
	default:
		f.d, f.t = res, res
	}
	return f
}

// binaryFop builds the fop of binary instruction op on x and second
// operand y.
func binaryFop(op wasm.Opcode, x uint32, y operand) (fop, bool) {
	bk, ok := binaryKinds[op]
	switch {
	case !ok:
		return fop{}, false
	case !y.isImm:
		return fop{kind: bk.kind, n: 1, x: x, y: y.slot}, true
	case bk.withK:
		return fop{kind: bk.kind + 1, n: 1, x: x, k: y.imm}, true
	}
	return fop{}, false
}

// value builds the fop of the value instruction at op i (a binary or
// unary numeric instruction or a load) on its resolved operands, without
// its destination; an i32.add of a slot and a constant whose sum a load
// takes as its address fuses with the load. It returns the stack slot the
// result lands in and the instruction whose result it is.
func (b *fastBuilder) value(i int) (f fop, res uint32, op wasm.Opcode, ok bool) {
	sp := b.sp(i)
	op = b.kind(i)
	if _, isBin := binaryKinds[op]; isBin {
		x, y := b.opnd(i, sp-2), b.opnd(i, sp-1)
		if x.isImm {
			return fop{}, 0, 0, false
		}
		if op == wasm.OpI32Add && y.isImm {
			if lk, ok := loadKinds[b.kind(i+1)]; ok {
				return fop{kind: lk + 1, n: 2, x: x.slot, k: y.imm, y: uint32(b.ops[i+1].c)}, sp - 2, b.kind(i + 1), true
			}
		}
		f, ok := binaryFop(op, x.slot, y)
		return f, sp - 2, op, ok
	}
	if uk, ok := unaryKinds[op]; ok {
		x := b.opnd(i, sp-1)
		return fop{kind: uk, n: 1, x: x.slot}, sp - 1, op, !x.isImm
	}
	if lk, ok := loadKinds[op]; ok {
		x := b.opnd(i, sp-1)
		if x.isImm {
			return fop{kind: lk + 2, n: 1, y: uint32(uint64(uint32(x.imm)) + b.ops[i].c)}, sp - 1, op, true
		}
		return fop{kind: lk, n: 1, x: x.slot, y: uint32(b.ops[i].c)}, sp - 1, op, true
	}
	return fop{}, 0, 0, false
}

// store builds the fop of the store at op i on its resolved operands, or
// of the i32.add of a slot and a constant at op i whose sum the store at
// op i+2 takes as its address, the value pushed by op i+1 (a local.get).
func (b *fastBuilder) store(i int) (fop, bool) {
	sp := b.sp(i)
	if b.kind(i) == wasm.OpI32Add {
		x, k := b.opnd(i, sp-2), b.opnd(i, sp-1)
		if sk, ok := storeKinds[b.kind(i+2)]; ok && !x.isImm && k.isImm {
			if v, ok := b.src(i + 1); ok && !v.isImm && b.deferred[i+1] {
				return fop{kind: sk + 2, n: 3, x: x.slot, k: k.imm, t: v.slot, y: uint32(b.ops[i+2].c)}, true
			}
		}
		return fop{}, false
	}
	sk, ok := storeKinds[b.kind(i)]
	if !ok {
		return fop{}, false
	}
	addr, val := b.opnd(i, sp-2), b.opnd(i, sp-1)
	f := fop{kind: sk, n: 1, x: addr.slot, y: uint32(b.ops[i].c)}
	if addr.isImm {
		f.kind, f.x, f.y = sk+3, 0, uint32(uint64(uint32(addr.imm))+b.ops[i].c)
	}
	if val.isImm {
		f.k = val.imm
		if addr.isImm {
			f.kind = sk + 4
		} else {
			f.kind = sk + 1
		}
	} else {
		f.t = val.slot
	}
	return f, true
}

// plainBrIf reports whether op j is a br_if that moves no values (so that
// taking it is a jump) and returns its target.
func (b *fastBuilder) plainBrIf(j int) (uint32, bool) {
	if b.kind(j) == wasm.OpBrIf && b.ops[j].c == 0 {
		return b.ops[j].a, true
	}
	return 0, false
}

// compareBranch fuses the value fop f of comparison op with a br_if or if
// at op j. An if branches (to its else) when the comparison is false.
func (b *fastBuilder) compareBranch(f fop, j int, op wasm.Opcode) (fop, bool) {
	eqz := op == wasm.OpI32Eqz || op == wasm.OpI64Eqz
	if target, ok := b.plainBrIf(j); ok {
		if eqz {
			return fop{kind: fBrIfZ, x: f.x, t: target}, true
		}
		if bk, ok := brKinds[op]; ok {
			return cmpBranch(bk, f, target), true
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
		return cmpBranch(bk, f, target), true
	}
	return fop{}, false
}

// cmpBranch is the compare-and-branch of kind bk on the operands of the
// comparison fop f.
func cmpBranch(bk fkind, f fop, target uint32) fop {
	if isKForm[f.kind] {
		bk++
	}
	return fop{kind: bk, x: f.x, y: f.y, k: f.k, t: target}
}

// single builds the fop of op i on its own, or with the local.set or
// local.tee that takes the value it pushes (local.get, constants,
// global.get, memory.size): control, calls, variables, select. Anything
// else is left to execGeneral.
func (b *fastBuilder) single(i int) fop {
	o := &b.ops[i]
	sp := b.sp(i)
	fn := b.fc
	f := fop{n: 1}
	switch o.kind {
	case wasm.OpLocalGet:
		f.kind, f.x = fMov, o.a
		return b.withDest(f, i+1, sp)
	case wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const, wasm.OpRefNull, wasm.OpRefFunc:
		f.kind, f.k = fConst, o.c
		return b.withDest(f, i+1, sp)
	case wasm.OpGlobalGet:
		f.kind, f.k = fGlobalGet, uint64(o.a)
		return b.withDest(f, i+1, sp)
	case wasm.OpMemorySize:
		f.kind = fMemorySize
		return b.withDest(f, i+1, sp)
	case wasm.OpLocalSet, wasm.OpLocalTee:
		// local.tee leaves the value in its stack slot: written too,
		// unless its push is deferred
		f.d, f.t = o.a, o.a
		if o.kind == wasm.OpLocalTee && !b.deferred[i] {
			f.t = sp - 1
		}
		if v := b.opnd(i, sp-1); v.isImm {
			f.kind, f.k = fConst, v.imm
		} else {
			f.kind, f.x = fMov, v.slot
		}
		return f
	case wasm.OpI64ExtendI32U, wasm.OpI32ReinterpretF32, wasm.OpI64ReinterpretF64,
		wasm.OpF32ReinterpretI32, wasm.OpF64ReinterpretI64, wasm.OpDrop: // bits unchanged
		f.kind = fSkip
	case wasm.OpGlobalSet:
		f.kind, f.x, f.k = fGlobalSet, b.opnd(i, sp-1).slot, uint64(o.a)
	case wasm.OpSelect, wasm.OpSelectT:
		f.kind, f.d, f.x, f.y, f.t = fSelect, sp-3, sp-3, sp-2, sp-1
	case wasm.OpIf:
		f.kind, f.x, f.t = fBrIfZ, b.opnd(i, sp-1).slot, o.a
	case wasm.OpElse:
		f.kind, f.t = fJump, o.a
	case wasm.OpBr:
		f.kind, f.t = fJump, o.a
		if o.c != 0 {
			f.kind, f.x, f.d, f.k = fBrCopy, sp-o.b, sp-o.b-uint32(o.c), uint64(o.b)
		}
	case wasm.OpBrIf:
		f.kind, f.x, f.t = fBrIfNZ, b.opnd(i, sp-1).slot, o.a
		if o.c != 0 {
			f.kind, f.y, f.x, f.d, f.k = fBrIfCopy, sp-1, sp-1-o.b, sp-1-o.b-uint32(o.c), uint64(o.b)
		}
	case wasm.OpBrTable:
		f.kind, f.x, f.t, f.k = fBrTable, sp-1, o.a, uint64(o.b)
	case opBrIfReturn:
		nr := uint32(fn.numResults)
		f.kind, f.y, f.x, f.k = fBrIfReturn, sp-1, sp-1-nr, uint64(nr)
	case wasm.OpReturn, opEndReturn, opBrReturn:
		nr := uint32(fn.numResults)
		f.kind, f.x, f.k = fReturn, sp-nr, uint64(nr)
	case wasm.OpCall:
		np := uint32(slotCount(b.m.store.funcs[o.a].typ.Params))
		f.kind, f.x, f.k = fCall, sp-np, uint64(o.a)
	case wasm.OpCallIndirect:
		np := uint32(slotCount(fn.inst.mod.Types[o.b].Params))
		f.kind, f.y, f.x, f.t, f.k = fCallIndirect, sp-1, sp-1-np, o.a, o.c
	default:
		f.kind = fDefer
	}
	return f
}

// inCode reports whether the instructions fop f at op i executes and the
// ops it may branch to lie inside the function: true for every fop built
// from valid code; a check, so that execFast's ip never leaves fc.fast.
func (b *fastBuilder) inCode(i int, f *fop) bool {
	n := uint64(len(b.ops))
	if uint64(i)+uint64(f.n) > n {
		return false
	}
	switch k := f.kind; {
	case hasTarget(k):
		return uint64(f.t) < n
	case k == fBrTable:
		ts := b.fc.brTargets
		if uint64(f.t)+f.k > uint64(len(ts)) || f.k == 0 {
			return false
		}
		for _, t := range ts[f.t : uint64(f.t)+f.k] {
			if t.pc != retTarget && uint64(t.pc) >= n {
				return false
			}
		}
	}
	return true
}

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
	case k == fBrIfNZ || k == fBrIfZ || k == fGlobalSet:
		return in(f.x, 1)
	case k == fBrTable:
		// the values a target keeps lie below the index, and move down
		// by the target's drop
		ts := b.fc.brTargets
		if !in(f.x, 1) || uint64(f.t)+f.k > uint64(len(ts)) {
			return false
		}
		for _, t := range ts[f.t : uint64(f.t)+f.k] {
			if uint64(t.n)+uint64(t.drop) > uint64(f.x) {
				return false
			}
		}
		return true
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
	case k >= fStore32 && k <= fStore16CV:
		return in(f.x, 1) && in(f.t, 1)
	case k >= fLoad32 && k <= fI64Load32SC:
		return in(f.d, 1) && in(f.t, 1) && in(f.x, 1)
	case k >= fBrEq:
		return in(f.x, 1) && ((k-fBrEq)%2 == 1 || in(f.y, 1))
	}
	// fMov and the numeric value ops; y is a slot unless a K form
	return in(f.d, 1) && in(f.t, 1) && in(f.x, 1) && (isKForm[f.kind] || in(f.y, 1))
}
