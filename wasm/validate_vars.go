package wasm

// varInstr validates the instructions that name an entity of the module or
// function: locals, globals, tables, memories, segments and references.
func (v *codeValidator) varInstr(in *Instr) error {
	c := v.c
	switch in.Op {
	case OpLocalGet, OpLocalSet, OpLocalTee:
		t, ok := v.local(in.Index)
		if !ok {
			return invalidf("unknown local %d", in.Index)
		}
		if in.Op != OpLocalGet {
			if _, err := v.popExpect(t); err != nil {
				return err
			}
		}
		if in.Op != OpLocalSet {
			v.push(t)
		}
	case OpGlobalGet:
		if uint64(in.Index) >= uint64(len(c.globals)) {
			return invalidf("unknown global %d", in.Index)
		}
		v.push(c.globals[in.Index].Type)
	case OpGlobalSet:
		if uint64(in.Index) >= uint64(len(c.globals)) {
			return invalidf("unknown global %d", in.Index)
		}
		g := c.globals[in.Index]
		if !g.Mutable {
			return invalidf("global is immutable: global.set %d", in.Index)
		}
		_, err := v.popExpect(g.Type)
		return err
	case OpMemorySize, OpMemoryGrow:
		if c.numMems == 0 {
			return invalidf("unknown memory 0")
		}
		if in.Op == OpMemoryGrow {
			if _, err := v.popExpect(I32); err != nil {
				return err
			}
		}
		v.push(I32)
	case OpRefNull:
		t := ValType(in.Const)
		if !t.IsRef() {
			return invalidf("type mismatch: ref.null of non-reference type 0x%x", in.Const)
		}
		v.push(t)
	case OpRefIsNull:
		t, err := v.pop()
		if err != nil {
			return err
		}
		if t != unknown && !t.IsRef() {
			return invalidf("type mismatch: ref.is_null on %s", t)
		}
		v.push(I32)
	case OpRefFunc:
		if uint64(in.Index) >= uint64(len(c.funcs)) {
			return invalidf("unknown function %d", in.Index)
		}
		if !c.declared[in.Index] {
			return invalidf("undeclared function reference: func %d occurs in no element segment, export or global initializer", in.Index)
		}
		v.push(FuncRef)
	default:
		if in.Op&0xFF00 == 0xFC00 {
			return v.miscInstr(in)
		}
		return v.tableInstr(in)
	}
	return nil
}

// popI32s pops n i32 operands.
func (v *codeValidator) popI32s(n int) error {
	for ; n > 0; n-- {
		if _, err := v.popExpect(I32); err != nil {
			return err
		}
	}
	return nil
}

// table returns the type of table x.
func (v *codeValidator) table(x uint32) (TableType, error) {
	if uint64(x) >= uint64(len(v.c.tables)) {
		return TableType{}, invalidf("unknown table %d", x)
	}
	return v.c.tables[x], nil
}

// tableInstr validates table.get and table.set.
func (v *codeValidator) tableInstr(in *Instr) error {
	switch in.Op {
	case OpTableGet:
		tt, err := v.table(in.Index)
		if err != nil {
			return err
		}
		if _, err := v.popExpect(I32); err != nil {
			return err
		}
		v.push(tt.Elem)
	case OpTableSet:
		tt, err := v.table(in.Index)
		if err != nil {
			return err
		}
		if _, err := v.popExpect(tt.Elem); err != nil {
			return err
		}
		_, err = v.popExpect(I32)
		return err
	default:
		return invalidf("BUG: opcode %s not validated", in.Op)
	}
	return nil
}

// dataIndex checks a data segment index of memory.init or data.drop. Both
// also need the data count section (so that a single pass can validate
// them before the data section is read); its absence makes the binary
// malformed, and is reported after an unknown index, as the spec suite
// expects.
func (v *codeValidator) dataIndex(op Opcode, x uint32) error {
	m := v.c.m
	if uint64(x) >= uint64(len(m.Datas)) {
		return invalidf("unknown data segment %d", x)
	}
	if !m.HasDataCount {
		return invalidf("data count section required: %s without one", op)
	}
	return nil
}

func (v *codeValidator) elemType(x uint32) (ValType, error) {
	if uint64(x) >= uint64(len(v.c.m.Elems)) {
		return 0, invalidf("unknown elem segment %d", x)
	}
	return v.c.m.Elems[x].Type, nil
}

// miscInstr validates the 0xFC-prefixed instructions.
func (v *codeValidator) miscInstr(in *Instr) error {
	c := v.c
	if sub := in.Op & 0xFF; sub < 8 {
		s := truncSatSigs[sub]
		if _, err := v.popExpect(s.a); err != nil {
			return err
		}
		v.push(s.r)
		return nil
	}
	switch in.Op {
	case OpMemoryInit:
		if c.numMems == 0 {
			return invalidf("unknown memory 0")
		}
		if err := v.dataIndex(in.Op, in.Index); err != nil {
			return err
		}
		return v.popI32s(3)
	case OpDataDrop:
		return v.dataIndex(in.Op, in.Index)
	case OpMemoryCopy, OpMemoryFill:
		if c.numMems == 0 {
			return invalidf("unknown memory 0")
		}
		return v.popI32s(3)
	case OpTableInit:
		tt, err := v.table(in.Index2)
		if err != nil {
			return err
		}
		et, err := v.elemType(in.Index)
		if err != nil {
			return err
		}
		if et != tt.Elem {
			return invalidf("type mismatch: table.init of %s segment %d into %s table %d", et, in.Index, tt.Elem, in.Index2)
		}
		return v.popI32s(3)
	case OpElemDrop:
		_, err := v.elemType(in.Index)
		return err
	case OpTableCopy:
		dst, err := v.table(in.Index)
		if err != nil {
			return err
		}
		src, err := v.table(in.Index2)
		if err != nil {
			return err
		}
		if dst.Elem != src.Elem {
			return invalidf("type mismatch: table.copy from %s table %d to %s table %d", src.Elem, in.Index2, dst.Elem, in.Index)
		}
		return v.popI32s(3)
	case OpTableGrow:
		tt, err := v.table(in.Index)
		if err != nil {
			return err
		}
		if _, err := v.popExpect(I32); err != nil {
			return err
		}
		if _, err := v.popExpect(tt.Elem); err != nil {
			return err
		}
		v.push(I32)
	case OpTableSize:
		if _, err := v.table(in.Index); err != nil {
			return err
		}
		v.push(I32)
	case OpTableFill:
		tt, err := v.table(in.Index)
		if err != nil {
			return err
		}
		if _, err := v.popExpect(I32); err != nil {
			return err
		}
		if _, err := v.popExpect(tt.Elem); err != nil {
			return err
		}
		_, err = v.popExpect(I32)
		return err
	default:
		return invalidf("BUG: opcode %s not validated", in.Op)
	}
	return nil
}
