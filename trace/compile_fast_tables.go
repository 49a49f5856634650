package trace

import "github.com/refereevm/referee/wasm"

// Tables of the register form's builder (trace/compile_fast.go): which
// kind executes which Wasm instruction, and the identities it uses to fold
// operands.

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

// loadKinds maps a load to its register-form kind; the next two are its
// address-add (K) and constant-address (C) forms.
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

// storeKinds maps a store to its register-form kind; the next four are its
// value-immediate (V), address-add (A), constant-address (C) and
// constant-address value-immediate (CV) forms.
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

// isKForm marks the K forms of binaryKinds.
var isKForm = func() (k [256]bool) {
	for _, bk := range binaryKinds {
		if bk.withK {
			k[bk.kind+1] = true
		}
	}
	return k
}()
