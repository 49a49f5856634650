package dispute

import (
	"encoding/binary"
	"fmt"

	"github.com/refereevm/referee/merkle"
	"github.com/refereevm/referee/wasm"
)

// Internal op kinds of the machine's compiled code (trace/ops.go).
const (
	opEndReturn  = 0x06 // the function-final end: returns
	opBrReturn   = 0x07 // br to the function's label: returns
	opBrIfReturn = 0x08 // br_if to the function's label
	retTarget    = 0xffffffff
)

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func opName(k uint16) string {
	switch k {
	case opEndReturn:
		return "end"
	case opBrReturn:
		return "br"
	case opBrIfReturn:
		return "br_if"
	case opDropV128:
		return "drop"
	case opSelectV128:
		return "select"
	case opLocalGetV128, opLocalSetV128, opLocalTeeV128:
		return wasm.Opcode(k - opLocalGetV128 + uint16(wasm.OpLocalGet)).String()
	case opGlobalGetV128, opGlobalSetV128:
		return wasm.Opcode(k - opGlobalGetV128 + uint16(wasm.OpGlobalGet)).String()
	}
	return wasm.Opcode(k).String()
}

// exec executes the op: control, calls, variables and constants here;
// memory, tables and numeric ops in their own files.
func (v *vm) exec() error {
	o := v.op
	switch wasm.Opcode(o.kind) {
	case wasm.OpUnreachable: // traps
		v.trap(trapUnreachable)
	case wasm.OpNop, wasm.OpBlock, wasm.OpLoop, wasm.OpEnd: // no effect
		v.next()
	case wasm.OpIf: // pops i32 cond; false jumps to a
		c, err := v.pop()
		if err != nil {
			return err
		}
		if uint32(c) == 0 {
			v.s.frame.pc = o.a
		} else {
			v.next()
		}
	case wasm.OpElse: // jumps past end
		v.s.frame.pc = o.a
	case wasm.OpBr: // keeps b values, drops c below them, jumps to a
		if err := v.branch(o.b, o.c); err != nil {
			return err
		}
		v.s.frame.pc = o.a
	case wasm.OpBrIf: // pops i32 cond; if non-zero, as br
		c, err := v.pop()
		if err != nil {
			return err
		}
		if uint32(c) == 0 {
			v.next()
			return nil
		}
		if err := v.branch(o.b, o.c); err != nil {
			return err
		}
		v.s.frame.pc = o.a
	case wasm.OpBrTable: // pops i32 index; branches to target a+min(index, b-1)
		return v.brTable()
	case opBrIfReturn: // pops i32 cond; if non-zero, returns
		c, err := v.pop()
		if err != nil {
			return err
		}
		if uint32(c) == 0 {
			v.next()
			return nil
		}
		return v.ret()
	case wasm.OpReturn, opEndReturn, opBrReturn: // returns
		return v.ret()
	case wasm.OpCall: // pops params, pushes the callee's frame (shape in the op leaf)
		return v.enter(o.a, o.callee())
	case wasm.OpCallIndirect: // pops i32 index, then as call of table a[index]
		return v.callIndirect()
	case wasm.OpDrop: // pops one value
		if _, err := v.pop(); err != nil {
			return err
		}
		v.next()
	case wasm.OpSelect, wasm.OpSelectT: // pops c, v2, v1; pushes c ? v1 : v2
		c, err := v.pop()
		if err != nil {
			return err
		}
		b, err := v.pop()
		if err != nil {
			return err
		}
		a, err := v.pop()
		if err != nil {
			return err
		}
		if uint32(c) == 0 {
			a = b
		}
		v.push(a)
		v.next()
	case wasm.OpLocalGet, wasm.OpLocalSet, wasm.OpLocalTee:
		return v.local()
	case wasm.OpGlobalGet, wasm.OpGlobalSet:
		return v.global()
	case wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const, wasm.OpRefNull, wasm.OpRefFunc: // pushes c
		v.push(o.c)
		v.next()
	case wasm.OpRefIsNull: // pops a reference, pushes i32
		x, err := v.pop()
		if err != nil {
			return err
		}
		v.push(b2u(x == 0))
		v.next()
	default:
		k := wasm.Opcode(o.kind)
		switch {
		case k >= wasm.OpI32Load && k <= wasm.OpI64Store32,
			k == wasm.OpMemorySize, k == wasm.OpMemoryGrow, k == wasm.OpMemoryFill, k == wasm.OpMemoryCopy:
			return v.memoryOp()
		case k == wasm.OpTableGet, k == wasm.OpTableSet, k == wasm.OpTableSize, k == wasm.OpTableGrow, k == wasm.OpTableFill:
			return v.tableOp()
		case k == wasm.OpMemoryInit, k == wasm.OpDataDrop, k == wasm.OpTableInit, k == wasm.OpElemDrop, k == wasm.OpTableCopy:
			return v.segmentOp()
		case isSIMD(o.kind):
			return v.simd()
		}
		return v.numeric()
	}
	return nil
}

// branch keeps the top n values and drops drop values below them.
func (v *vm) branch(n uint32, drop uint64) error {
	if uint64(n) > uint64(len(v.win)) || drop > uint64(len(v.win)) {
		return fmt.Errorf("%w: stack window too short for a branch keeping %d and dropping %d", ErrBadProof, n, drop)
	}
	keep := append([]uint64(nil), v.win[len(v.win)-int(n):]...)
	for i := uint64(0); i < uint64(n)+drop; i++ {
		if _, err := v.pop(); err != nil {
			return err
		}
	}
	for _, x := range keep {
		v.push(x)
	}
	return nil
}

// brTable reads the chosen target (a code-tree leaf after the ops).
func (v *vm) brTable() error {
	o := v.op
	i, err := v.pop()
	if err != nil {
		return err
	}
	if o.b == 0 {
		return fmt.Errorf("%w: br_table with no targets", ErrBadProof)
	}
	idx := uint32(i)
	if idx >= o.b-1 {
		idx = o.b - 1
	}
	leafIdx := uint64(v.fn.numOps) + uint64(o.a) + uint64(idx)
	if leafIdx >= uint64(v.fn.codeLeaves) {
		return fmt.Errorf("%w: br_table target %d outside the code", ErrBadProof, leafIdx)
	}
	t, _, err := v.r.leafProof(codeDomain, depthFor(uint64(v.fn.codeLeaves)), leafIdx, v.fn.codeRoot, "br_table target")
	if err != nil {
		return err
	}
	pc := binary.BigEndian.Uint32(t[0:])
	n := binary.BigEndian.Uint32(t[4:])
	drop := binary.BigEndian.Uint32(t[8:])
	if pc == retTarget {
		return v.ret()
	}
	if err := v.branch(n, uint64(drop)); err != nil {
		return err
	}
	v.s.frame.pc = pc
	return nil
}

// ret moves the results to the frame's base and pops the frame; the
// caller's record comes from the frame chain.
func (v *vm) ret() error {
	n := v.fn.results
	if uint64(n) > uint64(len(v.win)) {
		return fmt.Errorf("%w: stack window too short for %d results", ErrBadProof, n)
	}
	res := v.win[len(v.win)-int(n):]
	h := v.s.frame.base
	for _, x := range res {
		h = chainPush(h, x)
	}
	v.stackSet = true
	if v.s.depth <= 1 {
		v.s.status = statusDone
		v.s.entry, v.s.depth = 0, 0
		v.s.sp = n
		v.s.frame = frameRec{}
		v.s.frames = [32]byte{}
		v.s.stack = h
		return nil
	}
	// ---- caller frame: its record and the frame chain below it ----
	r := &v.r
	start := r.off
	rec, err := r.take(frameRecSize, "caller frame record")
	if err != nil {
		return err
	}
	below, err := r.word("frame chain hash below the caller")
	if err != nil {
		return err
	}
	if keccak([]byte(framesLabel), below[:], rec) != v.s.frames {
		return fmt.Errorf("%w: caller frame record at byte %d: does not hash to the frame chain", ErrBadProof, start)
	}
	v.s.sp = v.s.frame.fp + n
	v.s.frame = decodeFrameRec(rec)
	v.s.frames = below
	v.s.depth--
	v.s.stack = h
	return nil
}

// readFunc reads the record of the function at store address addr.
func (v *vm) readFunc(addr uint64, what string) (funcRec, error) {
	r := &v.r
	start := r.off
	rec, err := r.take(funcRecSize, what+" record")
	if err != nil {
		return funcRec{}, err
	}
	sib, err := r.siblings(depthFor(uint64(v.s.nFuncs)), what+" siblings")
	if err != nil {
		return funcRec{}, err
	}
	if addr >= uint64(v.s.nFuncs) || !foldsTo(funcsDomain, addr, keccak([]byte(funcLabel), rec), sib, v.s.funcs) {
		return funcRec{}, fmt.Errorf("%w: %s record at byte %d: does not fold to the functions root", ErrBadProof, what, start)
	}
	return decodeFuncRec(rec), nil
}

// enter checks the limits and pushes callee f's frame.
func (v *vm) enter(addr uint32, f funcRec) error {
	if f.host {
		return v.hostCall(addr, f.params, f.results)
	}
	if v.s.depth >= v.s.maxDepth {
		v.trap(trapCallStackExhausted)
		return nil
	}
	if uint64(v.s.sp) < uint64(f.params) || uint64(v.s.sp)-uint64(f.params)+uint64(f.frameSize) > uint64(v.s.maxStack) {
		v.trap(trapValueStackExhausted)
		return nil
	}
	if uint64(f.params) > uint64(len(v.win)) || f.locals < f.params {
		return fmt.Errorf("%w: stack window too short for %d parameters", ErrBadProof, f.params)
	}
	params := append([]uint64(nil), v.win[len(v.win)-int(f.params):]...)
	for range params {
		if _, err := v.pop(); err != nil {
			return err
		}
	}
	base := v.chain()
	caller := v.s.frame
	caller.pc++
	v.s.frames = keccak([]byte(framesLabel), v.s.frames[:], caller.encode())
	v.s.depth++
	t := merkle.NewTree(localsDomain, localsDepth(f.locals))
	for j := 0; j*localsPerLeaf < len(params); j++ {
		var l [32]byte
		for k := 0; k < localsPerLeaf && j*localsPerLeaf+k < len(params); k++ {
			binary.BigEndian.PutUint64(l[8*k:], params[j*localsPerLeaf+k])
		}
		if l != ([32]byte{}) {
			t.Set(uint64(j), l)
		}
	}
	nfp := v.s.sp
	v.s.frame = frameRec{addr: addr, pc: 0, fp: nfp, locals: t.Root(), base: base}
	v.s.sp = nfp + f.locals
	v.s.stack = base
	v.stackSet = true
	return nil
}

// local executes local.get, local.set and local.tee.
func (v *vm) local() error {
	o := v.op
	if o.a >= v.fn.locals {
		return fmt.Errorf("%w: local %d of %d", ErrBadProof, o.a, v.fn.locals)
	}
	var x uint64
	var err error
	if wasm.Opcode(o.kind) != wasm.OpLocalGet {
		if x, err = v.pop(); err != nil {
			return err
		}
	}
	j, slot := uint64(o.a/localsPerLeaf), 8*int(o.a%localsPerLeaf)
	leaf, sib, err := v.r.leafProof(localsDomain, localsDepth(v.fn.locals), j, v.s.frame.locals, "locals")
	if err != nil {
		return err
	}
	switch wasm.Opcode(o.kind) {
	case wasm.OpLocalGet: // pushes local a
		v.push(binary.BigEndian.Uint64(leaf[slot:]))
	case wasm.OpLocalSet: // pops into local a
		binary.BigEndian.PutUint64(leaf[slot:], x)
		v.s.frame.locals = fold(localsDomain, j, leaf, sib)
	case wasm.OpLocalTee: // copies the top into local a
		v.push(x)
		binary.BigEndian.PutUint64(leaf[slot:], x)
		v.s.frame.locals = fold(localsDomain, j, leaf, sib)
	}
	v.next()
	return nil
}

// global executes global.get and global.set.
func (v *vm) global() error {
	o := v.op
	var x uint64
	var err error
	set := wasm.Opcode(o.kind) == wasm.OpGlobalSet
	if set {
		if x, err = v.pop(); err != nil {
			return err
		}
	}
	if o.a >= v.s.nGlobals {
		return fmt.Errorf("%w: global %d of %d", ErrBadProof, o.a, v.s.nGlobals)
	}
	leaf, sib, err := v.r.leafProof(globalsDomain, depthFor(uint64(v.s.nGlobals)), uint64(o.a), v.s.globals, "global")
	if err != nil {
		return err
	}
	if set { // pops into global a
		binary.BigEndian.PutUint64(leaf[24:], x)
		v.s.globals = fold(globalsDomain, uint64(o.a), leaf, sib)
	} else { // pushes global a
		v.push(binary.BigEndian.Uint64(leaf[24:]))
	}
	v.next()
	return nil
}
