package fuzz

import (
	"github.com/refereevm/referee/wasm"
)

// step emits one instruction (with the operands and guards it needs) or
// closes the innermost block.
func (f *fgen) step() {
	if f.g.cfg.SIMD && f.s.Chance(1, 4) {
		f.simd()
		return
	}
	r := f.s.Intn(100)
	switch {
	case r < 20:
		f.leaf(f.g.valType())
	case r < 48:
		f.numeric()
	case r < 57:
		f.variable()
	case r < 67:
		f.memory()
	case r < 73:
		f.reference()
	case r < 94:
		f.control()
	default:
		if len(f.frames) > 1 {
			f.closeFrame(false)
		} else {
			f.leaf(f.g.valType())
		}
	}
}

// allowed reports whether the features enable op's types and op itself.
func (f *fgen) allowed(o opSig) bool {
	c := &f.g.cfg
	if !c.Floats && (o.in == wasm.F32 || o.in == wasm.F64 || o.out == wasm.F32 || o.out == wasm.F64) {
		return false
	}
	switch o.feat {
	case featSignExt:
		return c.SignExtension
	case featSat:
		return c.SatConversion
	}
	return true
}

// numeric applies a numeric operator, preferring one whose first operand
// is already on top of the stack.
func (f *fgen) numeric() {
	var in wasm.ValType
	if f.avail() > 0 && f.s.Chance(3, 4) {
		in = f.top()
	} else {
		in = f.g.numType()
	}
	if in.IsRef() {
		f.leaf(f.g.numType())
		return
	}
	if in == wasm.V128 {
		f.simd()
		return
	}
	// Count the candidates, then pick one: unary and binary ops whose
	// operand type is in.
	var n int
	for _, o := range unaryOps {
		if o.in == in && f.allowed(o) {
			n++
		}
	}
	for _, o := range binaryOps {
		if o.in == in && f.allowed(o) {
			n++
		}
	}
	if n == 0 {
		f.leaf(wasm.I32)
		return
	}
	k := f.s.Intn(n)
	for _, o := range unaryOps {
		if o.in == in && f.allowed(o) {
			if k == 0 {
				f.apply(o, false)
				return
			}
			k--
		}
	}
	for _, o := range binaryOps {
		if o.in == in && f.allowed(o) {
			if k == 0 {
				f.apply(o, true)
				return
			}
			k--
		}
	}
}

// apply emits numeric operator o with its operands and guards.
func (f *fgen) apply(o opSig, binary bool) {
	c := &f.g.cfg
	// One operator in four gets edge operands (gen_edges.go): half of
	// those keep a computed first operand and get an edge second one.
	edge := false
	switch r := f.s.Intn(8); {
	case r < 2 && f.edgeOperands(o, binary, r == 1):
		edge = true
	case binary:
		f.operands([]wasm.ValType{o.in, o.in})
	default:
		f.operands([]wasm.ValType{o.in})
	}
	switch {
	case o.guard == guardDivisor && c.DisallowTraps:
		f.guardDivisor(o.in)
	case o.guard == guardTrunc && c.DisallowTraps:
		f.guardTrunc(o.op, o.in)
	}
	f.op(o.op)
	if binary {
		f.popN(2)
	} else {
		f.popN(1)
	}
	f.push(o.out)
	if o.guard == guardNaN && c.CanonicalizeNaNs {
		f.canonicalize(o.out)
	}
	// An edge case's result is always observed: later operators would
	// often hide it (a -0 that is added to, a NaN that is compared).
	if f.g.checksum >= 0 && (edge || f.s.Chance(1, 2)) {
		f.observe(o.out)
	}
}

// variable emits local.set/tee, global.set, drop or select.
func (f *fgen) variable() {
	s := f.s
	switch s.Intn(6) {
	case 0, 1: // local.set, local.tee
		if f.nuser == 0 {
			f.leaf(f.g.valType())
			return
		}
		l := uint32(s.Intn(f.nuser))
		if f.avail() > 0 && s.Bool() {
			if k, ok := f.pickLocal(f.top()); ok {
				l = k
			}
		}
		t := f.locals[l]
		f.operands([]wasm.ValType{t})
		f.popN(1)
		if s.Bool() {
			f.emit(wasm.Instr{Op: wasm.OpLocalTee, Index: l})
			f.push(t)
		} else {
			f.emit(wasm.Instr{Op: wasm.OpLocalSet, Index: l})
		}
	case 2: // global.set
		t := f.g.valType()
		if f.avail() > 0 && s.Bool() {
			t = f.top()
		}
		gi, ok := f.pickGlobal(t, true)
		if !ok {
			f.leaf(t)
			return
		}
		f.operands([]wasm.ValType{t})
		f.popN(1)
		f.emit(wasm.Instr{Op: wasm.OpGlobalSet, Index: gi})
	case 3: // drop
		if f.avail() == 0 {
			f.op(wasm.OpNop)
			return
		}
		if f.s.Chance(1, 4) {
			f.op(wasm.OpDrop)
		} else {
			f.discard(f.top())
		}
		f.popN(1)
	default: // select
		t := f.g.valType()
		if f.avail() > 1 && s.Chance(3, 4) {
			t = f.stack[len(f.stack)-2]
			if f.top() != wasm.I32 {
				t = f.top()
			}
		}
		f.operands([]wasm.ValType{t, t, wasm.I32})
		f.popN(3)
		if t.IsRef() || (f.g.cfg.ReferenceTypes && s.Bool()) {
			f.emit(wasm.Instr{Op: wasm.OpSelectT, SelectTypes: []wasm.ValType{t}, Index2: uint32(t)})
		} else {
			f.op(wasm.OpSelect)
		}
		f.push(t)
	}
}

// control emits a block, loop, if, branch, call or other control
// instruction.
func (f *fgen) control() {
	s := f.s
	c := &f.g.cfg
	r := s.Intn(100)
	if r >= 32 && r < 63 && len(f.frames) == 1 && s.Chance(3, 4) {
		// At the top level every branch leaves the function: open a block
		// instead, mostly.
		r = 0
	}
	switch {
	case r < 32:
		if len(f.frames) > c.MaxDepth {
			f.op(wasm.OpNop)
			return
		}
		f.openBlock([]wasm.Opcode{wasm.OpBlock, wasm.OpLoop, wasm.OpIf}[s.Intn(3)])
	case r < 40: // br
		d := f.labelDepth()
		fr := &f.frames[len(f.frames)-1-d]
		if fr.op == wasm.OpLoop && f.counter >= 0 && s.Chance(7, 8) {
			f.counted(d) // an unconditional back edge would spin until the fuel is gone
			return
		}
		f.operands(fr.labelTypes())
		f.emit(wasm.Instr{Op: wasm.OpBr, Index: uint32(d)})
		f.closeFrame(true)
	case r < 54: // br_if
		d := f.labelDepth()
		fr := &f.frames[len(f.frames)-1-d]
		if fr.op == wasm.OpLoop && f.counter >= 0 && s.Chance(7, 8) {
			f.counted(d)
			return
		}
		lt := fr.labelTypes()
		f.operands(append(append([]wasm.ValType(nil), lt...), wasm.I32))
		f.emit(wasm.Instr{Op: wasm.OpBrIf, Index: uint32(d)})
		f.popN(1)
	case r < 60: // br_table
		d := f.labelDepth()
		if f.frames[len(f.frames)-1-d].op == wasm.OpLoop && f.counter >= 0 && s.Chance(7, 8) {
			f.counted(d)
			return
		}
		lt := f.frames[len(f.frames)-1-d].labelTypes()
		var same []uint32
		for i := range f.frames {
			fr := &f.frames[len(f.frames)-1-i]
			if typesEqual(fr.labelTypes(), lt) && (fr.op != wasm.OpLoop || f.counter < 0) {
				same = append(same, uint32(i))
			}
		}
		labels := make([]uint32, s.Intn(6))
		if len(same) == 0 {
			labels = nil
		}
		for i := range labels {
			labels[i] = same[s.Intn(len(same))]
		}
		f.operands(append(append([]wasm.ValType(nil), lt...), wasm.I32))
		f.emit(wasm.Instr{Op: wasm.OpBrTable, Labels: labels, Index: uint32(d)})
		f.closeFrame(true)
	case r < 63: // return
		f.operands(f.frames[0].results)
		f.op(wasm.OpReturn)
		f.closeFrame(true)
	case r < 80: // call
		callee, ok := f.callee()
		if !ok {
			f.op(wasm.OpNop)
			return
		}
		if callee <= f.idx && f.g.fuel >= 0 {
			f.guardedRecursion(callee)
			return
		}
		ft := f.g.funcType(callee)
		index := uint32(f.g.funcBase + callee)
		if f.g.funcBase > 0 && f.s.Chance(1, 3) {
			// An imported function (the provider's code, on its own fuel).
			index = uint32(f.s.Intn(f.g.funcBase))
			ft, _ = f.g.m.FuncType(index)
		}
		f.operands(ft.Params)
		f.emit(wasm.Instr{Op: wasm.OpCall, Index: index})
		f.popN(len(ft.Params))
		f.pushAll(ft.Results)
	case r < 92:
		f.callIndirect()
	case r < 93:
		if c.DisallowTraps {
			f.op(wasm.OpNop)
			return
		}
		f.op(wasm.OpUnreachable)
		f.closeFrame(true)
	default:
		f.op(wasm.OpNop)
	}
}

// blockType picks the type of a new block: empty, one result, or (with
// multi-value) a type index whose parameters are often the values on top
// of the stack.
func (f *fgen) blockType() (wasm.BlockType, []wasm.ValType, []wasm.ValType) {
	s := f.s
	c := &f.g.cfg
	switch k := s.Intn(4); {
	case k == 1:
		t := f.g.valType()
		return wasm.BlockType{Kind: wasm.BlockValue, Val: t}, nil, []wasm.ValType{t}
	case k >= 2 && c.MultiValue:
		var ft wasm.FuncType
		np := s.Intn(c.MaxParams + 1)
		for i := 0; i < np; i++ {
			ft.Params = append(ft.Params, f.g.valType())
		}
		if s.Chance(2, 3) {
			np = min(np, f.avail())
			ft.Params = append([]wasm.ValType(nil), f.stack[len(f.stack)-np:]...)
		}
		nr := s.Intn(c.MaxResults + 1)
		for i := 0; i < nr; i++ {
			ft.Results = append(ft.Results, f.g.valType())
		}
		return wasm.BlockType{Kind: wasm.BlockTypeIndex, TypeIndex: f.g.typeIndex(ft)}, ft.Params, ft.Results
	}
	return wasm.BlockType{Kind: wasm.BlockEmpty}, nil, nil
}

// openBlock emits block, loop or if with its operands and pushes its frame.
func (f *fgen) openBlock(op wasm.Opcode) {
	bt, params, results := f.blockType()
	ops := params
	if op == wasm.OpIf {
		ops = append(append([]wasm.ValType(nil), params...), wasm.I32)
	}
	f.operands(ops)
	f.popN(len(ops))
	f.emit(wasm.Instr{Op: op, Block: bt})
	f.frames = append(f.frames, frame{op: op, params: params, results: results, height: len(f.stack)})
	f.pushAll(params)
	if op == wasm.OpLoop && f.g.fuel >= 0 {
		f.fuelCheck()
	}
}

// callIndirect emits call_indirect through a funcref table, usually with
// the type of a function the table holds and that function's slot.
func (f *fgen) callIndirect() {
	g := f.g
	s := f.s
	if !g.cfg.CallIndirect || g.cfg.DisallowTraps || len(g.m.Tables) == 0 {
		f.op(wasm.OpNop)
		return
	}
	var tables []int
	for i, t := range g.m.Tables {
		if t.Elem == wasm.FuncRef && (i == 0 || g.cfg.ReferenceTypes) {
			tables = append(tables, i)
		}
	}
	t := tables[s.Intn(len(tables))]
	typeIdx := uint32(s.Intn(len(g.m.Types)))
	slot := -1
	if fs := g.tableFuncs[t]; len(fs) > 0 && s.Chance(7, 8) {
		// Mostly a slot that holds a function (at instantiation).
		// Only functions defined after the caller (see callee).
		var ok bool
		if slot, ok = pick(s, len(fs), func(i int) bool { return fs[i] > g.funcBase+f.idx }); !ok {
			if s.Chance(7, 8) {
				f.op(wasm.OpNop) // no function to call: calling would trap
				return
			}
			slot = s.Intn(len(fs))
		}
		if fs[slot] >= 0 {
			typeIdx, _ = g.m.FuncTypeIndex(uint32(fs[slot]))
		}
	}
	ft := g.m.Types[typeIdx]
	if slot >= 0 {
		f.operands(ft.Params)
		f.i32Const(uint32(slot))
		f.push(wasm.I32)
	} else {
		f.operands(append(append([]wasm.ValType(nil), ft.Params...), wasm.I32))
	}
	f.emit(wasm.Instr{Op: wasm.OpCallIndirect, Index: typeIdx, Index2: uint32(t)})
	f.popN(len(ft.Params) + 1)
	f.pushAll(ft.Results)
}

// labelDepth picks a branch target, favouring inner blocks: a branch to
// the function body is a return, and too many of those leave little code
// to execute.
func (f *fgen) labelDepth() int {
	n := len(f.frames)
	if n > 1 && f.s.Chance(3, 4) {
		return f.s.Intn(n - 1)
	}
	return f.s.Intn(n)
}

// counted emits a back edge to the loop at depth d that is taken while the
// loop counter lasts: operands; counterCond; br_if d.
func (f *fgen) counted(d int) {
	f.operands(f.frames[len(f.frames)-1-d].labelTypes())
	f.counterCond()
	f.emit(wasm.Instr{Op: wasm.OpBrIf, Index: uint32(d)})
	f.popN(1)
}

// callee picks a function to call: mostly one defined after the caller, so
// that the call graph is mostly acyclic (recursion, which can only end by
// exhausting the fuel, stays possible).
func (f *fgen) callee() (int, bool) {
	n := f.g.nfuncs
	if f.idx+1 < n && f.s.Chance(7, 8) {
		return f.idx + 1 + f.s.Intn(n-f.idx-1), true
	}
	if f.s.Chance(1, 8) {
		return f.s.Intn(n), true
	}
	return 0, false
}

// guardedRecursion emits a call to callee (not after the caller, so it may
// recurse) that only happens while the fuel is above 7/8 of its start,
// which bounds the recursion depth well below the fuel:
//
//	operands; global.get $fuel; i32.const K; i32.gt_u
//	if (type params -> results) call callee else (fix up) end
func (f *fgen) guardedRecursion(callee int) {
	g := f.g
	ft := g.funcType(callee)
	if len(ft.Params) > 0 && !g.cfg.MultiValue || len(ft.Results) > 1 && !g.cfg.MultiValue {
		f.op(wasm.OpNop)
		return
	}
	f.operands(ft.Params)
	f.emit(wasm.Instr{Op: wasm.OpGlobalGet, Index: uint32(g.fuel)})
	f.i32Const(g.cfg.Fuel - g.cfg.Fuel/8)
	f.op(wasm.OpI32GtU)
	f.popN(len(ft.Params))
	bt := wasm.BlockType{Kind: wasm.BlockEmpty}
	switch {
	case len(ft.Params) > 0 || len(ft.Results) > 1:
		bt = wasm.BlockType{Kind: wasm.BlockTypeIndex, TypeIndex: g.typeIndex(ft)}
	case len(ft.Results) == 1:
		bt = wasm.BlockType{Kind: wasm.BlockValue, Val: ft.Results[0]}
	}
	f.emit(wasm.Instr{Op: wasm.OpIf, Block: bt})
	depth := len(f.frames)
	f.frames = append(f.frames, frame{op: wasm.OpIf, params: ft.Params, results: ft.Results, height: len(f.stack)})
	f.pushAll(ft.Params)
	f.emit(wasm.Instr{Op: wasm.OpCall, Index: uint32(g.funcBase + callee)})
	f.popN(len(ft.Params))
	f.pushAll(ft.Results)
	for len(f.frames) > depth {
		f.closeFrame(false)
	}
}
