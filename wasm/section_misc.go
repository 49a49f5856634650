package wasm

import "fmt"

// decodeFunctions reads the function section: the type index of every
// defined function.
// https://webassembly.github.io/spec/core/binary/modules.html#function-section
func decodeFunctions(r *reader, m *Module) error {
	n, err := r.count("function", 1)
	if err != nil {
		return err
	}
	m.Funcs = makeN[[]uint32](n)
	for i := range m.Funcs {
		if m.Funcs[i], err = r.u32("type index"); err != nil {
			return fmt.Errorf("func[%d]: %w", i, err)
		}
	}
	return nil
}

// decodeTables reads the table section.
// https://webassembly.github.io/spec/core/binary/modules.html#table-section
func decodeTables(r *reader, m *Module) error {
	n, err := r.count("table", 3)
	if err != nil {
		return err
	}
	m.Tables = makeN[[]TableType](n)
	for i := range m.Tables {
		if m.Tables[i], err = r.tableType(); err != nil {
			return fmt.Errorf("table[%d]: %w", i, err)
		}
	}
	return nil
}

// decodeMemories reads the memory section.
// https://webassembly.github.io/spec/core/binary/modules.html#memory-section
func decodeMemories(r *reader, m *Module) error {
	n, err := r.count("memory", 2)
	if err != nil {
		return err
	}
	m.Memories = makeN[[]MemoryType](n)
	for i := range m.Memories {
		if m.Memories[i].Limits, err = r.limits(); err != nil {
			return fmt.Errorf("memory[%d]: %w", i, err)
		}
	}
	return nil
}

// decodeGlobals reads the global section.
// https://webassembly.github.io/spec/core/binary/modules.html#global-section
func decodeGlobals(r *reader, m *Module) error {
	n, err := r.count("global", 3)
	if err != nil {
		return err
	}
	m.Globals = makeN[[]Global](n)
	for i := range m.Globals {
		g := &m.Globals[i]
		if g.Type, err = r.globalType(); err == nil {
			g.Init, err = r.constExpr("initializer")
		}
		if err != nil {
			return fmt.Errorf("global[%d]: %w", i, err)
		}
	}
	return nil
}

// constExpr reads a constant expression: one instruction and end (an
// immediate end gives Op == OpEnd, the empty expression). Which
// instructions are constant is checked by validation; an instruction whose
// immediates ConstExpr cannot hold keeps only its first byte (0xFC or 0xFD
// for prefixed ones), which validation rejects.
// https://webassembly.github.io/spec/core/valid/instructions.html#constant-expressions
func (r *reader) constExpr(what string) (ConstExpr, error) {
	e := ConstExpr{Offset: r.off()}
	in, err := r.instr()
	if err != nil {
		return e, fmt.Errorf("%s: %w", what, err)
	}
	e.Op = byte(in.Op)
	switch {
	case in.Op == OpEnd:
		return e, nil
	case in.Op == OpSIMD:
		e.Op, e.Imm, e.V128 = prefixSIMD, uint64(in.SIMD), in.V128
	case in.Op > 0xFF:
		e.Op = prefixMisc // its sub-opcode and immediates are dropped (Imm stays 0)
	case isConstOp(in.Op) && in.Op != OpGlobalGet && in.Op != OpRefFunc:
		e.Imm = in.Const // t.const and ref.null
	default:
		e.Imm = uint64(in.Index) // global.get, ref.func; any other index (invalid)
	}
	off := r.off()
	c, err := r.byte1(what + " end")
	if err != nil {
		return e, fmt.Errorf("%s: %w", what, err)
	}
	if Opcode(c) != OpEnd {
		r.pos--
		return e, fmt.Errorf("%s: %w", what, r.constExprTail(in.Op, off))
	}
	return e, nil
}

// isConstOp reports whether op is a constant instruction of Wasm 2.0.
func isConstOp(op Opcode) bool {
	switch op {
	case OpI32Const, OpI64Const, OpF32Const, OpF64Const, OpGlobalGet, OpRefNull, OpRefFunc:
		return true
	}
	return false
}

// constExprTail builds the error for a constant expression that goes on
// after its first instruction (first, which ended at off). In the spec such
// an expression is well-formed but invalid; ConstExpr holds one
// instruction, so it is rejected here, with the spec's validation text:
// "constant expression required" if any instruction is not constant, else
// "type mismatch" (it leaves more than one value).
func (r *reader) constExprTail(first Opcode, off uint32) error {
	n := 1
	for {
		ioff := r.off()
		in, err := r.instr()
		if err != nil {
			return err
		}
		if in.Op == OpEnd {
			return errAt(fmt.Sprintf("read %d instructions, all constant (type mismatch: more than one value)", n), off, ErrConstExpr)
		}
		if !isConstOp(first) || !isConstOp(in.Op) {
			bad := in.Op
			if !isConstOp(first) {
				bad = first
			}
			return errAt(fmt.Sprintf("read %s after %s (constant expression required: %s is not constant)", in.Op, first, bad), ioff, ErrConstExpr)
		}
		n++
	}
}
