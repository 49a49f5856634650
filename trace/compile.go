package trace

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// funcCode is a function body compiled to ops for one instance.
type funcCode struct {
	ops []op
	// fast is the register form (trace/fast.go), fops in the order of the
	// ops they start at; fastAt maps an op index to the index of the fop
	// that starts there (-1 if none does) and fastPC back. Derived from
	// ops; not state.
	fast   []fop
	fastAt []int32
	fastPC []uint32
	// lazy[lazyAt[i]:lazyAt[i+1]] are the deferred pushes execFast writes
	// when it stops in front of op i (trace/compile_fast.go); lazyAt is nil
	// if the function defers none. Derived from ops; not state.
	lazy   []lazyVal
	lazyAt []uint32
	// demoted counts the fops buildFast replaced by fDefer because a slot
	// or target lay outside the frame or the function: none for valid code
	// (TestFastInvariants).
	demoted   int
	brTargets []brTarget
	inst      *Instance
	mem       *Memory // memory 0 of inst, nil if it has none
	addr      uint32  // store address of the function
	index     uint32  // function index in the module
	codeIndex int     // index in mod.Codes
	typ       *wasm.FuncType
	// numParams, numLocals (params included) and numResults count slots.
	numParams  int
	numLocals  int
	numResults int
	// frameSize is numLocals plus the maximum operand-stack height: the
	// stack slots a frame of this function can use.
	frameSize int
	// localTypes holds the slot type of each local slot (a v128 local
	// takes two: v128, v128Hi); localSlot[i] is the slot of local i.
	localTypes []wasm.ValType
	localSlot  []uint32
}

// ctrl is a control frame of the compiler.
type ctrl struct {
	kind            wasm.Opcode // OpBlock, OpLoop, OpIf, or OpEnd for the function
	height          int         // operand height below the block's params
	params, results []wasm.ValType
	start           int   // op index of the block, loop or if
	patches         []int // ops whose target is the op after end: >= 0 op index (field a), < 0 ^brTargets index
	hasElse         bool
	unreachable     bool
}

// compiler lowers one function body.
type compiler struct {
	m     *Machine
	inst  *Instance
	fc    *funcCode
	ts    []wasm.ValType // operand type stack
	ctrls []ctrl
	max   int
}

// top returns the type of the top operand (v128 for the second slot of a
// v128), 0 if there is none.
func (c *compiler) top() wasm.ValType {
	if len(c.ts) == 0 {
		return 0
	}
	if t := c.ts[len(c.ts)-1]; t != v128Hi {
		return t
	}
	return wasm.V128
}

// popValue removes one operand value: two slots for a v128, whose type it
// returns as wasm.V128.
func (c *compiler) popValue() wasm.ValType {
	t := c.pop()
	if t == v128Hi {
		c.pop()
		return wasm.V128
	}
	return t
}

// pushValue pushes one operand of value type t (two slots for a v128).
func (c *compiler) pushValue(t wasm.ValType) {
	if t == wasm.V128 {
		c.push(wasm.V128, v128Hi)
		return
	}
	c.push(t)
}

// pop removes one operand; below the current block's height (unreachable
// code) it returns 0, the unknown type.
func (c *compiler) pop() wasm.ValType {
	f := &c.ctrls[len(c.ctrls)-1]
	if len(c.ts) <= f.height {
		return 0
	}
	t := c.ts[len(c.ts)-1]
	c.ts = c.ts[:len(c.ts)-1]
	return t
}

func (c *compiler) popN(n int) {
	for ; n > 0; n-- {
		c.pop()
	}
}

func (c *compiler) push(ts ...wasm.ValType) {
	c.ts = append(c.ts, ts...)
	if len(c.ts) > c.max {
		c.max = len(c.ts)
	}
}

func (c *compiler) setUnreachable() {
	f := &c.ctrls[len(c.ctrls)-1]
	if len(c.ts) > f.height {
		c.ts = c.ts[:f.height]
	}
	f.unreachable = true
}

// labelTypes returns the types a branch to f carries.
func labelTypes(f *ctrl) []wasm.ValType {
	if f.kind == wasm.OpLoop {
		return f.params
	}
	return f.results
}

// branch resolves a branch to label depth l from the current height: the
// target (or a patch request), arity and drop count. patch is called with
// the ctrl when the target is only known at its end.
func (c *compiler) branch(l uint32) (f *ctrl, n, drop uint32, ok bool) {
	if uint64(l) >= uint64(len(c.ctrls)) {
		return nil, 0, 0, false
	}
	f = &c.ctrls[len(c.ctrls)-1-int(l)]
	lt := labelTypes(f)
	d := len(c.ts) - len(lt) - f.height
	if d < 0 {
		d = 0 // only in unreachable code, never executed
	}
	return f, uint32(len(lt)), uint32(d), true
}

func (c *compiler) blockType(bt wasm.BlockType) (params, results []wasm.ValType, err error) {
	switch bt.Kind {
	case wasm.BlockEmpty:
		return nil, nil, nil
	case wasm.BlockValue:
		return nil, slotTypes([]wasm.ValType{bt.Val}), nil
	case wasm.BlockTypeIndex:
		if uint64(bt.TypeIndex) < uint64(len(c.inst.mod.Types)) {
			t := &c.inst.mod.Types[bt.TypeIndex]
			return slotTypes(t.Params), slotTypes(t.Results), nil
		}
	}
	return nil, nil, fmt.Errorf("bad block type")
}

// compileFunc compiles defined function codeIdx of inst. If stopAt >= 0 it
// only analyses the body up to op index stopAt and returns the operand
// types just before that op (used to type the stack for inspection).
func (m *Machine) compileFunc(inst *Instance, codeIdx int, stopAt int) (*funcCode, []wasm.ValType, error) {
	fc, c, err := m.analyze(inst, codeIdx, stopAt)
	if err != nil || c == nil {
		return fc, nil, err
	}
	return fc, append([]wasm.ValType(nil), c.ts...), nil
}

// analyze compiles like compileFunc; when stopping at op stopAt it also
// returns the compiler, whose type stack and control frames describe the
// state just before that op.
func (m *Machine) analyze(inst *Instance, codeIdx int, stopAt int) (*funcCode, *compiler, error) {
	mod := inst.mod
	nImp := uint32(mod.NumImports(wasm.ExternFunc))
	index := nImp + uint32(codeIdx)
	addr := inst.funcs[index]
	fi := &m.store.funcs[addr]
	code := &mod.Codes[codeIdx]
	fc := &funcCode{inst: inst, addr: addr, index: index, codeIndex: codeIdx, typ: &fi.typ}
	if len(inst.mems) > 0 {
		fc.mem = m.store.mems[inst.mems[0]]
	}
	addLocal := func(t wasm.ValType) {
		fc.localSlot = append(fc.localSlot, uint32(len(fc.localTypes)))
		fc.localTypes = append(fc.localTypes, t)
		if t == wasm.V128 {
			fc.localTypes = append(fc.localTypes, v128Hi)
		}
	}
	for _, t := range fi.typ.Params {
		addLocal(t)
	}
	for _, d := range code.Locals {
		for k := uint32(0); k < d.Count; k++ {
			addLocal(d.Type)
		}
	}
	fc.numParams = slotCount(fi.typ.Params)
	fc.numLocals = len(fc.localTypes)
	fc.numResults = slotCount(fi.typ.Results)
	c := &compiler{m: m, inst: inst, fc: fc}
	c.ctrls = append(c.ctrls, ctrl{kind: wasm.OpEnd, results: slotTypes(fi.typ.Results)})
	base := int64(code.BodyOffset) - int64(mod.CodeSectionOffset)
	body := code.Body
	var height []uint32 // operand height before each op, for buildFast
	var live []bool     // whether each op can be reached
	for pc := uint32(0); pc < uint32(len(body)); {
		if len(c.ctrls) == 0 {
			return nil, nil, fmt.Errorf("func[%d]: instructions after the final end at +0x%x", index, pc)
		}
		if stopAt == len(fc.ops) {
			return fc, c, nil
		}
		in, next, err := wasm.ReadInstr(body, pc)
		if err != nil {
			return nil, nil, fmt.Errorf("func[%d]: %w", index, err)
		}
		o := op{kind: in.Op, top: c.top(), offset: uint32(base + int64(pc))}
		if stopAt < 0 {
			height = append(height, uint32(len(c.ts)))
			live = append(live, !c.ctrls[len(c.ctrls)-1].unreachable)
		}
		if err := c.instr(&in, &o); err != nil {
			return nil, nil, fmt.Errorf("func[%d] at +0x%x (%s): %w", index, pc, in.Op, err)
		}
		fc.ops = append(fc.ops, o)
		pc = next
	}
	if len(c.ctrls) != 0 {
		return nil, nil, fmt.Errorf("func[%d]: body ends without its final end", index)
	}
	fc.frameSize = fc.numLocals + c.max
	markNoopRuns(fc.ops)
	if stopAt >= 0 {
		return fc, nil, fmt.Errorf("func[%d]: op %d not found", index, stopAt)
	}
	m.buildFast(fc, height, live)
	return fc, nil, nil
}

// isNoop reports whether an op has no effect but moving to the next op.
func isNoop(k wasm.Opcode) bool {
	return k == wasm.OpNop || k == wasm.OpBlock || k == wasm.OpLoop || k == wasm.OpEnd
}

// markNoopRuns sets field b of every no-op op (nop, block, loop, and an end
// that is not the function's) to the number of no-op ops that directly
// follow it, so that exec can retire a run of them in one dispatch while
// still counting each as a step.
func markNoopRuns(ops []op) {
	for i := len(ops) - 2; i >= 0; i-- {
		if isNoop(ops[i].kind) && isNoop(ops[i+1].kind) && ops[i+1].b < ^uint32(0) {
			ops[i].b = ops[i+1].b + 1
		}
	}
}

// funcAddr maps a module function index to its store address.
func (c *compiler) funcAddr(i uint32) (uint32, *wasm.FuncType, error) {
	if uint64(i) >= uint64(len(c.inst.funcs)) {
		return 0, nil, fmt.Errorf("function %d out of range", i)
	}
	a := c.inst.funcs[i]
	return a, &c.m.store.funcs[a].typ, nil
}

func (c *compiler) tableAddr(i uint32) (uint32, *Table, error) {
	if uint64(i) >= uint64(len(c.inst.tables)) {
		return 0, nil, fmt.Errorf("table %d out of range", i)
	}
	a := c.inst.tables[i]
	return a, c.m.store.tables[a], nil
}

// instr compiles one instruction into o (already holding kind, top and
// offset) and updates the type stack.
func (c *compiler) instr(in *wasm.Instr, o *op) error {
	idx := len(c.fc.ops)
	switch in.Op {
	case wasm.OpUnreachable:
		c.setUnreachable()
	case wasm.OpNop:
	case wasm.OpBlock, wasm.OpLoop, wasm.OpIf:
		if in.Op == wasm.OpIf {
			c.pop()
		}
		p, r, err := c.blockType(in.Block)
		if err != nil {
			return err
		}
		h := len(c.ts) - len(p)
		if h < c.ctrls[len(c.ctrls)-1].height {
			h = c.ctrls[len(c.ctrls)-1].height
			// unreachable code: materialise the params
			c.ts = c.ts[:h]
			c.push(p...)
		}
		c.ctrls = append(c.ctrls, ctrl{kind: in.Op, height: h, params: p, results: r, start: idx})
	case wasm.OpElse:
		f := &c.ctrls[len(c.ctrls)-1]
		if f.kind != wasm.OpIf {
			return fmt.Errorf("else without if")
		}
		f.hasElse = true
		c.fc.ops[f.start].a = uint32(idx + 1)
		f.patches = append(f.patches, idx)
		c.ts = append(c.ts[:f.height], f.params...)
		f.unreachable = false
	case wasm.OpEnd:
		f := c.ctrls[len(c.ctrls)-1]
		c.ctrls = c.ctrls[:len(c.ctrls)-1]
		if f.kind == wasm.OpEnd {
			o.kind = opEndReturn
			return nil
		}
		tgt := uint32(idx + 1)
		for _, p := range f.patches {
			if p >= 0 {
				c.fc.ops[p].a = tgt
			} else {
				c.fc.brTargets[^p].pc = tgt
			}
		}
		if f.kind == wasm.OpIf && !f.hasElse {
			c.fc.ops[f.start].a = tgt
		}
		c.ts = c.ts[:f.height]
		c.push(f.results...)
	case wasm.OpBr, wasm.OpBrIf:
		if in.Op == wasm.OpBrIf {
			c.pop()
		}
		f, n, drop, ok := c.branch(in.Index)
		if !ok {
			return fmt.Errorf("label %d out of range", in.Index)
		}
		o.b, o.c = n, uint64(drop)
		switch {
		case f.kind == wasm.OpEnd && in.Op == wasm.OpBr:
			o.kind = opBrReturn
		case f.kind == wasm.OpEnd:
			o.kind = opBrIfReturn
		case f.kind == wasm.OpLoop:
			o.a = uint32(f.start + 1)
		default:
			f.patches = append(f.patches, idx)
		}
		if in.Op == wasm.OpBr {
			c.setUnreachable()
		} else {
			lt := labelTypes(f)
			c.popN(len(lt))
			c.push(lt...)
		}
	case wasm.OpBrTable:
		c.pop()
		o.a = uint32(len(c.fc.brTargets))
		o.b = uint32(len(in.Labels) + 1)
		for k := 0; k <= len(in.Labels); k++ {
			l := in.Index
			if k < len(in.Labels) {
				l = in.Labels[k]
			}
			f, n, drop, ok := c.branch(l)
			if !ok {
				return fmt.Errorf("label %d out of range", l)
			}
			bt := brTarget{n: n, drop: drop}
			switch f.kind {
			case wasm.OpEnd:
				bt.pc = retTarget
			case wasm.OpLoop:
				bt.pc = uint32(f.start + 1)
			default:
				f.patches = append(f.patches, ^len(c.fc.brTargets))
			}
			c.fc.brTargets = append(c.fc.brTargets, bt)
		}
		c.setUnreachable()
	case wasm.OpReturn:
		c.setUnreachable()
	case wasm.OpCall:
		a, t, err := c.funcAddr(in.Index)
		if err != nil {
			return err
		}
		o.a = a
		c.popN(slotCount(t.Params))
		c.push(slotTypes(t.Results)...)
	case wasm.OpCallIndirect:
		a, _, err := c.tableAddr(in.Index2)
		if err != nil {
			return err
		}
		if uint64(in.Index) >= uint64(len(c.inst.mod.Types)) {
			return fmt.Errorf("type %d out of range", in.Index)
		}
		t := &c.inst.mod.Types[in.Index]
		o.a, o.b, o.c = a, in.Index, uint64(c.m.typeID(*t))
		c.pop()
		c.popN(slotCount(t.Params))
		c.push(slotTypes(t.Results)...)
	case wasm.OpDrop:
		if c.popValue() == wasm.V128 {
			o.kind = opDropV128
		}
	case wasm.OpSelect, wasm.OpSelectT:
		c.pop()
		t1 := c.popValue()
		t2 := c.popValue()
		if in.Op == wasm.OpSelectT && len(in.SelectTypes) == 1 {
			t1 = in.SelectTypes[0]
		}
		if t1 == 0 {
			t1 = t2
		}
		if t1 == wasm.V128 {
			o.kind = opSelectV128
		}
		c.pushValue(t1)
	case wasm.OpLocalGet, wasm.OpLocalSet, wasm.OpLocalTee:
		if uint64(in.Index) >= uint64(len(c.fc.localSlot)) {
			return fmt.Errorf("local %d out of range", in.Index)
		}
		o.a = c.fc.localSlot[in.Index]
		t := c.fc.localTypes[o.a]
		if t == wasm.V128 {
			o.kind = o.kind - wasm.OpLocalGet + opLocalGetV128
		}
		switch in.Op {
		case wasm.OpLocalGet:
			c.pushValue(t)
		case wasm.OpLocalSet:
			c.popValue()
		case wasm.OpLocalTee:
			c.popValue()
			c.pushValue(t)
		}
	case wasm.OpGlobalGet, wasm.OpGlobalSet:
		if uint64(in.Index) >= uint64(len(c.inst.globals)) {
			return fmt.Errorf("global %d out of range", in.Index)
		}
		o.a = c.inst.globals[in.Index]
		t := c.m.store.globals[o.a].typ.Type
		if t == wasm.V128 {
			o.kind = o.kind - wasm.OpGlobalGet + opGlobalGetV128
		}
		if in.Op == wasm.OpGlobalGet {
			c.pushValue(t)
		} else {
			c.popValue()
		}
	case wasm.OpTableGet, wasm.OpTableSet, wasm.OpTableSize, wasm.OpTableGrow, wasm.OpTableFill:
		a, t, err := c.tableAddr(in.Index)
		if err != nil {
			return err
		}
		o.a = a
		switch in.Op {
		case wasm.OpTableGet:
			c.pop()
			c.push(t.Elem)
		case wasm.OpTableSet:
			c.popN(2)
		case wasm.OpTableSize:
			c.push(wasm.I32)
		case wasm.OpTableGrow:
			c.popN(2)
			c.push(wasm.I32)
		case wasm.OpTableFill:
			c.popN(3)
		}
	case wasm.OpTableInit, wasm.OpTableCopy:
		a, _, err := c.tableAddr(in.Index2)
		if err != nil {
			return err
		}
		if in.Op == wasm.OpTableInit {
			if uint64(in.Index) >= uint64(len(c.inst.mod.Elems)) {
				return fmt.Errorf("elem %d out of range", in.Index)
			}
			o.a, o.b = a, in.Index
		} else {
			d, _, err := c.tableAddr(in.Index)
			if err != nil {
				return err
			}
			o.a, o.b = d, a
		}
		c.popN(3)
	case wasm.OpElemDrop:
		if uint64(in.Index) >= uint64(len(c.inst.mod.Elems)) {
			return fmt.Errorf("elem %d out of range", in.Index)
		}
		o.b = in.Index
	case wasm.OpMemoryInit, wasm.OpDataDrop:
		if uint64(in.Index) >= uint64(len(c.inst.mod.Datas)) {
			return fmt.Errorf("data %d out of range", in.Index)
		}
		if c.fc.mem == nil && in.Op == wasm.OpMemoryInit {
			return fmt.Errorf("no memory")
		}
		o.b = in.Index
		if in.Op == wasm.OpMemoryInit {
			c.popN(3)
		}
	case wasm.OpMemoryCopy, wasm.OpMemoryFill:
		if c.fc.mem == nil {
			return fmt.Errorf("no memory")
		}
		c.popN(3)
	case wasm.OpMemorySize, wasm.OpMemoryGrow:
		if c.fc.mem == nil {
			return fmt.Errorf("no memory")
		}
		if in.Op == wasm.OpMemoryGrow {
			c.pop()
		}
		c.push(wasm.I32)
	case wasm.OpI32Const, wasm.OpF32Const:
		o.c = uint64(uint32(in.Const))
		c.push(constType(in.Op))
	case wasm.OpI64Const, wasm.OpF64Const:
		o.c = in.Const
		c.push(constType(in.Op))
	case wasm.OpRefNull:
		c.push(wasm.ValType(in.Const))
	case wasm.OpRefIsNull:
		c.pop()
		c.push(wasm.I32)
	case wasm.OpRefFunc:
		a, _, err := c.funcAddr(in.Index)
		if err != nil {
			return err
		}
		o.c = uint64(a) + 1
		c.push(wasm.FuncRef)
	case wasm.OpSIMD:
		return c.simdInstr(in, o)
	default:
		if in.Op >= wasm.OpI32Load && in.Op <= wasm.OpI64Store32 {
			if c.fc.mem == nil {
				return fmt.Errorf("no memory")
			}
			o.c = uint64(in.MemOffset)
		}
		pops, push, ok := stackEffect(in.Op)
		if !ok {
			return fmt.Errorf("unsupported instruction")
		}
		c.popN(pops)
		if push != 0 {
			c.push(push)
		}
	}
	return nil
}

func constType(op wasm.Opcode) wasm.ValType {
	switch op {
	case wasm.OpI32Const:
		return wasm.I32
	case wasm.OpI64Const:
		return wasm.I64
	case wasm.OpF32Const:
		return wasm.F32
	}
	return wasm.F64
}

// stackEffect gives the number of operands popped and the type pushed (0
// for none) of the loads, stores and numeric instructions.
func stackEffect(op wasm.Opcode) (pops int, push wasm.ValType, ok bool) {
	const i32, i64, f32, f64 = wasm.I32, wasm.I64, wasm.F32, wasm.F64
	switch {
	case op >= 0x28 && op <= 0x35: // loads
		return 1, [...]wasm.ValType{i32, i64, f32, f64, i32, i32, i32, i32, i64, i64, i64, i64, i64, i64}[op-0x28], true
	case op >= 0x36 && op <= 0x3e: // stores
		return 2, 0, true
	case op == 0x45 || op == 0x50: // eqz
		return 1, i32, true
	case op >= 0x46 && op <= 0x66: // comparisons
		return 2, i32, true
	case op >= 0x67 && op <= 0x69:
		return 1, i32, true
	case op >= 0x6a && op <= 0x78:
		return 2, i32, true
	case op >= 0x79 && op <= 0x7b:
		return 1, i64, true
	case op >= 0x7c && op <= 0x8a:
		return 2, i64, true
	case op >= 0x8b && op <= 0x91:
		return 1, f32, true
	case op >= 0x92 && op <= 0x98:
		return 2, f32, true
	case op >= 0x99 && op <= 0x9f:
		return 1, f64, true
	case op >= 0xa0 && op <= 0xa6:
		return 2, f64, true
	case op >= 0xa7 && op <= 0xab, op == 0xbc, op == 0xc0, op == 0xc1:
		return 1, i32, true
	case op >= 0xac && op <= 0xb1, op == 0xbd, op >= 0xc2 && op <= 0xc4:
		return 1, i64, true
	case op >= 0xb2 && op <= 0xb6, op == 0xbe:
		return 1, f32, true
	case op >= 0xb7 && op <= 0xbb, op == 0xbf:
		return 1, f64, true
	case op >= 0xfc00 && op <= 0xfc03:
		return 1, i32, true
	case op >= 0xfc04 && op <= 0xfc07:
		return 1, i64, true
	}
	return 0, 0, false
}
