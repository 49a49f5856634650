package wasm

import "fmt"

// unknown is the operand type of a value popped from the polymorphic stack
// of unreachable code: it matches every type.
const unknown ValType = 0

// ctrlFrame is one entry of the control stack of the validation algorithm.
type ctrlFrame struct {
	op          Opcode // OpBlock, OpLoop, OpIf, OpElse; OpEnd for the function itself
	start, end  []ValType
	height      int // operand stack height at entry
	unreachable bool
}

// labelTypes returns the types a branch to f carries: a loop's label is
// its start, every other label is its end.
func (f *ctrlFrame) labelTypes() []ValType {
	if f.op == OpLoop {
		return f.start
	}
	return f.end
}

// codeValidator checks function bodies with the algorithm of the spec's
// validation appendix. Its stacks are reused from one function to the next.
//
// https://webassembly.github.io/spec/core/appendix/algorithm.html
type codeValidator struct {
	c     *moduleContext
	lim   ResourceLimits
	vals  []ValType
	ctrls []ctrlFrame
	// The type of local i is localTypes[j] for the first j with
	// i < localEnds[j] (params first, then one run per declaration).
	localEnds  []uint64
	localTypes []ValType
	popped     []ValType // scratch for br_table
	ft         FuncType
	// maxVals is the greatest height of vals in the current function;
	// heights, if not nil, collects it per function (OperandHeights).
	maxVals int
	heights []uint32
}

func (c *moduleContext) validateCodes(lim ResourceLimits, heights bool) ([]uint32, error) {
	v := &codeValidator{c: c, lim: lim}
	if heights {
		v.heights = make([]uint32, 0, len(c.m.Codes))
	}
	base := len(c.funcs) - len(c.m.Codes)
	for i := range c.m.Codes {
		if err := v.validateFunc(base+i, &c.m.Codes[i]); err != nil {
			return nil, err
		}
	}
	return v.heights, nil
}

// codeOffset converts an offset in a body to an offset in the code section,
// the coordinates of the machine's program counter.
func (c *moduleContext) codeOffset(code *Code, pc uint32) uint32 {
	if cs := c.m.CodeSectionOffset; cs != 0 && code.BodyOffset >= cs {
		return code.BodyOffset - cs + pc
	}
	return pc
}

func (v *codeValidator) validateFunc(fn int, code *Code) error {
	c := v.c
	v.ft = c.m.Types[c.funcs[fn]]
	// Locals stay run-length encoded: with a lifted MaxLocalsPerFunc a
	// declaration of 2^32 locals must not cost 2^32 slots here.
	v.localEnds = v.localEnds[:0]
	v.localTypes = v.localTypes[:0]
	n := uint64(0)
	for _, t := range v.ft.Params {
		n++
		v.localEnds = append(v.localEnds, n)
		v.localTypes = append(v.localTypes, t)
	}
	for i, d := range code.Locals {
		if err := validValType(d.Type); err != nil {
			return fmt.Errorf("section code: func[%d].local decl[%d]: %w", fn, i, err)
		}
		if d.Count == 0 {
			continue
		}
		n += uint64(d.Count)
		v.localEnds = append(v.localEnds, n)
		v.localTypes = append(v.localTypes, d.Type)
	}
	v.vals = v.vals[:0]
	v.maxVals = 0
	v.ctrls = v.ctrls[:0]
	v.ctrls = append(v.ctrls, ctrlFrame{op: OpEnd, end: v.ft.Results})
	body := code.Body
	var pc uint32
	for len(v.ctrls) > 0 {
		in, next, err := ReadInstr(body, pc)
		if err == nil {
			err = v.instr(&in)
		}
		if err == nil && len(v.ctrls) == 0 && next != uint32(len(body)) {
			err = invalidf("operators remaining after end of function")
		}
		if err != nil {
			return fmt.Errorf("func[%d]: pc=0x%x (offset 0x%x in module): %w",
				fn, c.codeOffset(code, pc), code.BodyOffset+pc, err)
		}
		pc = next
	}
	if v.heights != nil {
		v.heights = append(v.heights, uint32(v.maxVals))
	}
	return nil
}

// local returns the type of local x.
func (v *codeValidator) local(x uint32) (ValType, bool) {
	lo, hi := 0, len(v.localEnds)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if uint64(x) < v.localEnds[mid] {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if lo == len(v.localEnds) {
		return 0, false
	}
	return v.localTypes[lo], true
}

// typeMismatch reports an operand of the wrong type.
func typeMismatch(want, got ValType) error {
	return invalidf("type mismatch: expected %s, got %s", want, got)
}

func (v *codeValidator) push(t ValType) {
	v.vals = append(v.vals, t)
	v.maxVals = max(v.maxVals, len(v.vals))
}

func (v *codeValidator) pushVals(ts []ValType) {
	v.vals = append(v.vals, ts...)
	v.maxVals = max(v.maxVals, len(v.vals))
}

// pop pops any operand.
func (v *codeValidator) pop() (ValType, error) {
	f := &v.ctrls[len(v.ctrls)-1]
	if len(v.vals) == f.height {
		if f.unreachable {
			return unknown, nil
		}
		return 0, invalidf("type mismatch: expected a value, got nothing")
	}
	t := v.vals[len(v.vals)-1]
	v.vals = v.vals[:len(v.vals)-1]
	return t, nil
}

// popExpect pops an operand of type want (unknown accepts anything) and
// returns the type it popped: unknown from the polymorphic stack of
// unreachable code, so that br_table can push back what it popped.
func (v *codeValidator) popExpect(want ValType) (ValType, error) {
	f := &v.ctrls[len(v.ctrls)-1]
	if len(v.vals) == f.height {
		if f.unreachable {
			return unknown, nil
		}
		return 0, invalidf("type mismatch: expected %s, got nothing", want)
	}
	t := v.vals[len(v.vals)-1]
	if t != want && t != unknown && want != unknown {
		return 0, typeMismatch(want, t)
	}
	v.vals = v.vals[:len(v.vals)-1]
	return t, nil
}

// popVals pops ts, last first.
func (v *codeValidator) popVals(ts []ValType) error {
	for i := len(ts) - 1; i >= 0; i-- {
		if _, err := v.popExpect(ts[i]); err != nil {
			return err
		}
	}
	return nil
}

func (v *codeValidator) pushCtrl(op Opcode, start, end []ValType) error {
	// The function's own frame does not count towards the nesting depth.
	if uint64(len(v.ctrls)) > uint64(v.lim.MaxBlockDepth) {
		return fmt.Errorf("%s: %w", op, limitError("block nesting depth", uint64(len(v.ctrls)), "MaxBlockDepth", v.lim.MaxBlockDepth))
	}
	v.ctrls = append(v.ctrls, ctrlFrame{op: op, start: start, end: end, height: len(v.vals)})
	v.pushVals(start)
	return nil
}

func (v *codeValidator) popCtrl() (ctrlFrame, error) {
	f := v.ctrls[len(v.ctrls)-1]
	if err := v.popVals(f.end); err != nil {
		return f, err
	}
	if n := len(v.vals) - f.height; n != 0 {
		return f, invalidf("type mismatch: %d extra value(s) left at the end of the block", n)
	}
	v.ctrls = v.ctrls[:len(v.ctrls)-1]
	return f, nil
}

func (v *codeValidator) setUnreachable() {
	f := &v.ctrls[len(v.ctrls)-1]
	v.vals = v.vals[:f.height]
	f.unreachable = true
}

// label returns the frame a branch to label l targets.
func (v *codeValidator) label(l uint32) (*ctrlFrame, error) {
	if uint64(l) >= uint64(len(v.ctrls)) {
		return nil, invalidf("unknown label %d", l)
	}
	return &v.ctrls[len(v.ctrls)-1-int(l)], nil
}

// blockType returns the start and end types of a block type.
func (v *codeValidator) blockType(bt BlockType) (start, end []ValType, err error) {
	switch bt.Kind {
	case BlockEmpty:
		return nil, nil, nil
	case BlockValue:
		if err := validValType(bt.Val); err != nil {
			return nil, nil, err
		}
		return nil, singleton(bt.Val), nil
	case BlockTypeIndex:
		if uint64(bt.TypeIndex) >= uint64(len(v.c.m.Types)) {
			return nil, nil, invalidf("unknown type %d", bt.TypeIndex)
		}
		ft := v.c.m.Types[bt.TypeIndex]
		return ft.Params, ft.Results, nil
	}
	return nil, nil, invalidf("BUG: block kind %d", bt.Kind)
}

// instr validates one instruction.
func (v *codeValidator) instr(in *Instr) error {
	op := in.Op
	if op < 0x100 {
		if s := numericSigs[op]; s.a != 0 {
			if s.b != 0 {
				if _, err := v.popExpect(s.b); err != nil {
					return err
				}
			}
			if _, err := v.popExpect(s.a); err != nil {
				return err
			}
			v.push(s.r)
			return nil
		}
		if op >= OpI32Load && op <= OpI64Store32 {
			return v.memInstr(in)
		}
	}
	switch op {
	case OpUnreachable:
		v.setUnreachable()
	case OpNop:
	case OpBlock, OpLoop, OpIf:
		start, end, err := v.blockType(in.Block)
		if err != nil {
			return err
		}
		if op == OpIf {
			if _, err := v.popExpect(I32); err != nil {
				return err
			}
		}
		if err := v.popVals(start); err != nil {
			return err
		}
		return v.pushCtrl(op, start, end)
	case OpElse:
		if v.ctrls[len(v.ctrls)-1].op != OpIf {
			return invalidf("else without a matching if")
		}
		f, err := v.popCtrl()
		if err != nil {
			return err
		}
		return v.pushCtrl(OpElse, f.start, f.end)
	case OpEnd:
		f, err := v.popCtrl()
		if err != nil {
			return err
		}
		if f.op == OpIf {
			// An if without else has an implicit empty else, which must
			// turn the start types into the end types.
			v.ctrls = append(v.ctrls, ctrlFrame{op: OpElse, start: f.start, end: f.end, height: len(v.vals)})
			v.pushVals(f.start)
			if _, err := v.popCtrl(); err != nil {
				return fmt.Errorf("if without else: %w", err)
			}
		}
		v.pushVals(f.end)
	case OpBr:
		f, err := v.label(in.Index)
		if err != nil {
			return err
		}
		if err := v.popVals(f.labelTypes()); err != nil {
			return err
		}
		v.setUnreachable()
	case OpBrIf:
		if _, err := v.popExpect(I32); err != nil {
			return err
		}
		f, err := v.label(in.Index)
		if err != nil {
			return err
		}
		if err := v.popVals(f.labelTypes()); err != nil {
			return err
		}
		v.pushVals(f.labelTypes())
	case OpBrTable:
		return v.brTable(in)
	case OpReturn:
		if err := v.popVals(v.ft.Results); err != nil {
			return err
		}
		v.setUnreachable()
	case OpCall:
		if uint64(in.Index) >= uint64(len(v.c.funcs)) {
			return invalidf("unknown function %d", in.Index)
		}
		return v.call(v.c.m.Types[v.c.funcs[in.Index]])
	case OpCallIndirect:
		if uint64(in.Index2) >= uint64(len(v.c.tables)) {
			return invalidf("unknown table %d", in.Index2)
		}
		if t := v.c.tables[in.Index2].Elem; t != FuncRef {
			return invalidf("type mismatch: call_indirect on table %d of %s", in.Index2, t)
		}
		if uint64(in.Index) >= uint64(len(v.c.m.Types)) {
			return invalidf("unknown type %d", in.Index)
		}
		if _, err := v.popExpect(I32); err != nil {
			return err
		}
		return v.call(v.c.m.Types[in.Index])
	case OpDrop:
		_, err := v.pop()
		return err
	case OpSelect:
		return v.selectUntyped()
	case OpSelectT:
		if len(in.SelectTypes) != 1 {
			return invalidf("invalid result arity: select with %d types", len(in.SelectTypes))
		}
		t := in.SelectTypes[0]
		if err := validValType(t); err != nil {
			return err
		}
		if _, err := v.popExpect(I32); err != nil {
			return err
		}
		if _, err := v.popExpect(t); err != nil {
			return err
		}
		if _, err := v.popExpect(t); err != nil {
			return err
		}
		v.push(t)
	case OpI32Const:
		v.push(I32)
	case OpI64Const:
		v.push(I64)
	case OpF32Const:
		v.push(F32)
	case OpF64Const:
		v.push(F64)
	case OpSIMD:
		if err := v.simdInstr(in); err != nil {
			return fmt.Errorf("%s: %w", SIMDName(in.SIMD), err)
		}
	default:
		return v.varInstr(in)
	}
	return nil
}

func (v *codeValidator) call(ft FuncType) error {
	if err := v.popVals(ft.Params); err != nil {
		return err
	}
	v.pushVals(ft.Results)
	return nil
}

// isNum reports whether t is a number type, the vector type or unknown
// (the types an untyped select may choose between).
func isNum(t ValType) bool {
	switch t {
	case I32, I64, F32, F64, V128, unknown:
		return true
	}
	return false
}

func (v *codeValidator) selectUntyped() error {
	if _, err := v.popExpect(I32); err != nil {
		return err
	}
	t1, err := v.pop()
	if err != nil {
		return err
	}
	t2, err := v.pop()
	if err != nil {
		return err
	}
	if !isNum(t1) || !isNum(t2) {
		return invalidf("type mismatch: select without a type on %s and %s (only numeric types)", t2, t1)
	}
	if t1 != t2 && t1 != unknown && t2 != unknown {
		return invalidf("type mismatch: select on %s and %s", t2, t1)
	}
	if t1 == unknown {
		t1 = t2
	}
	v.push(t1)
	return nil
}

func (v *codeValidator) brTable(in *Instr) error {
	if _, err := v.popExpect(I32); err != nil {
		return err
	}
	def, err := v.label(in.Index)
	if err != nil {
		return err
	}
	arity := len(def.labelTypes())
	for _, l := range in.Labels {
		f, err := v.label(l)
		if err != nil {
			return err
		}
		ts := f.labelTypes()
		if len(ts) != arity {
			return invalidf("type mismatch: br_table label %d carries %d values, default label %d carries %d", l, len(ts), in.Index, arity)
		}
		// Pop the label's types and push back what was popped, so that a
		// polymorphic stack keeps its unknowns for the next label.
		v.popped = v.popped[:0]
		for i := len(ts) - 1; i >= 0; i-- {
			t, err := v.popExpect(ts[i])
			if err != nil {
				return err
			}
			v.popped = append(v.popped, t)
		}
		for i := len(v.popped) - 1; i >= 0; i-- {
			v.push(v.popped[i])
		}
	}
	if err := v.popVals(def.labelTypes()); err != nil {
		return err
	}
	v.setUnreachable()
	return nil
}

// memInstr validates a load or store.
func (v *codeValidator) memInstr(in *Instr) error {
	mo := memOps[in.Op-OpI32Load]
	if v.c.numMems == 0 {
		return invalidf("unknown memory 0")
	}
	if in.Align > mo.maxAlign {
		return invalidf("alignment must not be larger than natural: 2^%d > %d bytes", in.Align, 1<<mo.maxAlign)
	}
	if mo.store {
		if _, err := v.popExpect(mo.t); err != nil {
			return err
		}
		_, err := v.popExpect(I32)
		return err
	}
	if _, err := v.popExpect(I32); err != nil {
		return err
	}
	v.push(mo.t)
	return nil
}
