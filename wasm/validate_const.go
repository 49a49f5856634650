package wasm

// validConst checks a constant expression (a global initializer, a segment
// offset or an element initializer) against the type it must produce. A
// ref.func in it declares its function for use by ref.func in bodies.
//
// In Wasm 2.0 the constant instructions are t.const (v128.const included), ref.null, ref.func
// and global.get of an imported, immutable global (the context of a
// constant expression holds only the imported globals, so global.get of a
// defined global is an "unknown global").
//
// https://webassembly.github.io/spec/core/valid/instructions.html#constant-expressions
func (c *moduleContext) validConst(e ConstExpr, want ValType) error {
	var got ValType
	switch Opcode(e.Op) {
	case OpI32Const:
		got = I32
	case OpI64Const:
		got = I64
	case OpF32Const:
		got = F32
	case OpF64Const:
		got = F64
	case OpRefNull:
		got = ValType(e.Imm)
		if e.Imm > 0xff || !got.IsRef() {
			return invalidf("type mismatch: ref.null of non-reference type 0x%x", e.Imm)
		}
	case OpRefFunc:
		if e.Imm >= uint64(len(c.funcs)) {
			return invalidf("unknown function %d", e.Imm)
		}
		c.declared[e.Imm] = true
		got = FuncRef
	case OpGlobalGet:
		if e.Imm >= uint64(c.numImportGlobals) {
			return invalidf("unknown global %d (a constant expression sees only imported globals)", e.Imm)
		}
		g := c.globals[e.Imm]
		if g.Mutable {
			return invalidf("constant expression required: global.get %d of a mutable global", e.Imm)
		}
		got = g.Type
	case OpEnd:
		// An empty expression produces no value.
		return invalidf("type mismatch: expected %s, got []", want)
	case Opcode(prefixSIMD):
		if e.Imm != 0x0c {
			return invalidf("constant expression required: %s is not constant", SIMDName(uint32(e.Imm)))
		}
		got = V128
	default:
		return invalidf("constant expression required: %s is not constant", Opcode(e.Op))
	}
	if got != want {
		return invalidf("type mismatch: expected %s, got %s", want, got)
	}
	return nil
}
