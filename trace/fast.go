package trace

// The register form. Each function is compiled twice: to ops (trace/ops.go),
// one per Wasm instruction, which the state commitment, proofs, snapshots
// and execGeneral read; and to fops, its register form, which only execFast
// reads. fast[i] is the fop that starts at instruction i: it executes
// instruction i and, when it fuses them, the instructions after it, n in
// all, counting every one as a step. Because a Wasm function's operand-
// stack height is fixed at every instruction, an fop addresses operands as
// frame slots (fp-relative stack indices: a local is its index, the operand
// at height h is numLocals+h), so a local.get or constant that feeds an
// instruction, and a local.set or local.tee that takes its result, fold
// into that instruction's fop: local.get 0; i32.const 1; i32.add; local.set
// 0 is one fop of four steps. The slots an fop writes are exactly those the
// plain instructions leave in the frame; the operands they would have
// pushed and popped again lie above the stack top, which is not state
// (docs/step.md). Every position has its own fop, so a branch into the
// middle of a fused run, or a resumption after a budget ran out there,
// starts a shorter fop. docs/RATIONALE.md, "Why a register form beside the
// ops?", has the measurements.

// fop is one op of the register form. Field use (slots are fp-relative):
//
//	n      instructions executed (steps); execFast runs the fop only when the
//	       budget has n steps left, and otherwise leaves instruction i to
//	       execGeneral
//	sp     the slot just above the operand-stack top before instruction i
//	       (numLocals + height): where the stack pointer is when execFast
//	       stops in front of this fop
//	d, t   value ops write their result to both (t != d for local.tee: the
//	       local and the stack slot); branches jump to t
//	x, y   operand slots (y: the second operand; for loads and stores the
//	       memarg offset)
//	k      an immediate: the second operand of K forms, a constant, the
//	       address added to x by the address-add forms (an i32.add, so it
//	       wraps), or a store address, table address, type id or count as
//	       each kind says
type fop struct {
	kind fkind
	n    uint16
	sp   uint32
	d, t uint32
	x, y uint32
	k    uint64
}

// fkind is the kind of an fop. Every kind below 256 keeps execFast's switch
// one jump table.
type fkind uint8

// Register-form kinds. The value ops' comments give the Wasm instructions
// they execute and where their operands come from.
const (
	fDefer        fkind = iota // execGeneral executes instruction i (n = 1)
	fSkip                      // n no-ops (nop, block, loop, end, drop)
	fJump                      // br without values to move, else: pc = t
	fBrCopy                    // br: moves k values from slot x down to slot d, pc = t
	fBrIfNZ                    // br_if (nothing to move), if with an eqz: if r[x] != 0, pc = t
	fBrIfZ                     // if, br_if of an eqz: if r[x] == 0, pc = t
	fBrIfCopy                  // br_if: if r[y] != 0, moves k values from slot x down to slot d, pc = t
	fBrTable                   // br_table: index r[x], k targets from fn.brTargets[t]
	fReturn                    // return, final end: moves k results from slot x to slot 0, pops the frame
	fBrIfReturn                // br_if to the function's label: if r[y] != 0, as fReturn
	fCall                      // call: callee store address k, arguments from slot x
	fCallIndirect              // call_indirect: table t, type id k, index r[y], arguments from slot x
	fMov                       // local.get, local.set, local.tee, reinterpret: r[d], r[t] = r[x]
	fConst                     // constants: r[d], r[t] = k
	fGlobalGet                 // r[d], r[t] = global k
	fGlobalSet                 // global k = r[x]
	fSelect                    // select: r[d] = r[t] != 0 ? r[x] : r[y]
	fMemorySize                // r[d], r[t] = memory size in pages

	// value ops: binary ops (x op y, or x op k for the K forms), unary ops
	// (of x), loads (address x, or x+k for the K forms, offset y) and stores
	// (address x, x+k for the A forms; value t, k for the V forms; offset y)
	fAnd            // I32And/I64And (slots x, y)
	fAndK           // I32And/I64And (slot x, immediate k)
	fOr             // I32Or/I64Or (slots x, y)
	fOrK            // I32Or/I64Or (slot x, immediate k)
	fXor            // I32Xor/I64Xor (slots x, y)
	fXorK           // I32Xor/I64Xor (slot x, immediate k)
	fEq             // I32Eq/I64Eq (slots x, y)
	fEqK            // I32Eq/I64Eq (slot x, immediate k)
	fNe             // I32Ne/I64Ne (slots x, y)
	fNeK            // I32Ne/I64Ne (slot x, immediate k)
	fLtU            // I32LtU/I64LtU (slots x, y)
	fLtUK           // I32LtU/I64LtU (slot x, immediate k)
	fGtU            // I32GtU/I64GtU (slots x, y)
	fGtUK           // I32GtU/I64GtU (slot x, immediate k)
	fLeU            // I32LeU/I64LeU (slots x, y)
	fLeUK           // I32LeU/I64LeU (slot x, immediate k)
	fGeU            // I32GeU/I64GeU (slots x, y)
	fGeUK           // I32GeU/I64GeU (slot x, immediate k)
	fI32Add         // I32Add (slots x, y)
	fI32AddK        // I32Add (slot x, immediate k)
	fI32Sub         // I32Sub (slots x, y)
	fI32SubK        // I32Sub (slot x, immediate k)
	fI32Mul         // I32Mul (slots x, y)
	fI32MulK        // I32Mul (slot x, immediate k)
	fI32Shl         // I32Shl (slots x, y)
	fI32ShlK        // I32Shl (slot x, immediate k)
	fI32ShrS        // I32ShrS (slots x, y)
	fI32ShrSK       // I32ShrS (slot x, immediate k)
	fI32ShrU        // I32ShrU (slots x, y)
	fI32ShrUK       // I32ShrU (slot x, immediate k)
	fI32Rotl        // I32Rotl (slots x, y)
	fI32RotlK       // I32Rotl (slot x, immediate k)
	fI32Rotr        // I32Rotr (slots x, y)
	fI32RotrK       // I32Rotr (slot x, immediate k)
	fI32LtS         // I32LtS (slots x, y)
	fI32LtSK        // I32LtS (slot x, immediate k)
	fI32GtS         // I32GtS (slots x, y)
	fI32GtSK        // I32GtS (slot x, immediate k)
	fI32LeS         // I32LeS (slots x, y)
	fI32LeSK        // I32LeS (slot x, immediate k)
	fI32GeS         // I32GeS (slots x, y)
	fI32GeSK        // I32GeS (slot x, immediate k)
	fI32DivU        // I32DivU (slots x, y)
	fI32DivUK       // I32DivU (slot x, immediate k)
	fI32RemU        // I32RemU (slots x, y)
	fI32RemUK       // I32RemU (slot x, immediate k)
	fI32DivS        // I32DivS (slots x, y)
	fI32DivSK       // I32DivS (slot x, immediate k)
	fI32RemS        // I32RemS (slots x, y)
	fI32RemSK       // I32RemS (slot x, immediate k)
	fI64Add         // I64Add (slots x, y)
	fI64AddK        // I64Add (slot x, immediate k)
	fI64Sub         // I64Sub (slots x, y)
	fI64SubK        // I64Sub (slot x, immediate k)
	fI64Mul         // I64Mul (slots x, y)
	fI64MulK        // I64Mul (slot x, immediate k)
	fI64Shl         // I64Shl (slots x, y)
	fI64ShlK        // I64Shl (slot x, immediate k)
	fI64ShrS        // I64ShrS (slots x, y)
	fI64ShrSK       // I64ShrS (slot x, immediate k)
	fI64ShrU        // I64ShrU (slots x, y)
	fI64ShrUK       // I64ShrU (slot x, immediate k)
	fI64Rotl        // I64Rotl (slots x, y)
	fI64RotlK       // I64Rotl (slot x, immediate k)
	fI64Rotr        // I64Rotr (slots x, y)
	fI64RotrK       // I64Rotr (slot x, immediate k)
	fI64LtS         // I64LtS (slots x, y)
	fI64LtSK        // I64LtS (slot x, immediate k)
	fI64GtS         // I64GtS (slots x, y)
	fI64GtSK        // I64GtS (slot x, immediate k)
	fI64LeS         // I64LeS (slots x, y)
	fI64LeSK        // I64LeS (slot x, immediate k)
	fI64GeS         // I64GeS (slots x, y)
	fI64GeSK        // I64GeS (slot x, immediate k)
	fI64DivU        // I64DivU (slots x, y)
	fI64DivUK       // I64DivU (slot x, immediate k)
	fI64RemU        // I64RemU (slots x, y)
	fI64RemUK       // I64RemU (slot x, immediate k)
	fI64DivS        // I64DivS (slots x, y)
	fI64DivSK       // I64DivS (slot x, immediate k)
	fI64RemS        // I64RemS (slots x, y)
	fI64RemSK       // I64RemS (slot x, immediate k)
	fF32Add         // F32Add (slots x, y)
	fF32Sub         // F32Sub (slots x, y)
	fF32Mul         // F32Mul (slots x, y)
	fF32Div         // F32Div (slots x, y)
	fF32Copysign    // F32Copysign (slots x, y)
	fF32Eq          // F32Eq (slots x, y)
	fF32Ne          // F32Ne (slots x, y)
	fF32Lt          // F32Lt (slots x, y)
	fF32Gt          // F32Gt (slots x, y)
	fF32Le          // F32Le (slots x, y)
	fF32Ge          // F32Ge (slots x, y)
	fF64Add         // F64Add (slots x, y)
	fF64Sub         // F64Sub (slots x, y)
	fF64Mul         // F64Mul (slots x, y)
	fF64Div         // F64Div (slots x, y)
	fF64Copysign    // F64Copysign (slots x, y)
	fF64Eq          // F64Eq (slots x, y)
	fF64Ne          // F64Ne (slots x, y)
	fF64Lt          // F64Lt (slots x, y)
	fF64Gt          // F64Gt (slots x, y)
	fF64Le          // F64Le (slots x, y)
	fF64Ge          // F64Ge (slots x, y)
	fEqz            // I32Eqz/I64Eqz
	fI32Clz         // I32Clz
	fI32Ctz         // I32Ctz
	fI32Extend8S    // I32Extend8S
	fI32Extend16S   // I32Extend16S
	fI32WrapI64     // I32WrapI64
	fI64Clz         // I64Clz
	fI64Ctz         // I64Ctz
	fI64Extend8S    // I64Extend8S
	fI64Extend16S   // I64Extend16S
	fI64Extend32S   // I64Extend32S
	fI64ExtendI32S  // I64ExtendI32S
	fF32Abs         // F32Abs
	fF32Neg         // F32Neg
	fF32Sqrt        // F32Sqrt
	fF64Abs         // F64Abs
	fF64Neg         // F64Neg
	fF64Sqrt        // F64Sqrt
	fF64ConvertI32S // F64ConvertI32S
	fF64ConvertI32U // F64ConvertI32U
	fF64ConvertI64S // F64ConvertI64S
	fF32ConvertI32S // F32ConvertI32S
	fF64PromoteF32  // F64PromoteF32
	fF32DemoteF64   // F32DemoteF64
	fI32TruncF64S   // I32TruncF64S
	fI32TruncF64U   // I32TruncF64U
	fI64TruncF64S   // I64TruncF64S
	fLoad32         // I32Load/F32Load/I64Load32U, address slot x, offset y
	fLoad32K        // I32Load/F32Load/I64Load32U, address slot x + immediate k (i32 add), offset y
	fLoad32C        // I32Load/F32Load/I64Load32U, constant effective address y
	fLoad64         // I64Load/F64Load, address slot x, offset y
	fLoad64K        // I64Load/F64Load, address slot x + immediate k (i32 add), offset y
	fLoad64C        // I64Load/F64Load, constant effective address y
	fLoad8U         // I32Load8U/I64Load8U, address slot x, offset y
	fLoad8UK        // I32Load8U/I64Load8U, address slot x + immediate k (i32 add), offset y
	fLoad8UC        // I32Load8U/I64Load8U, constant effective address y
	fLoad16U        // I32Load16U/I64Load16U, address slot x, offset y
	fLoad16UK       // I32Load16U/I64Load16U, address slot x + immediate k (i32 add), offset y
	fLoad16UC       // I32Load16U/I64Load16U, constant effective address y
	fI32Load8S      // I32Load8S, address slot x, offset y
	fI32Load8SK     // I32Load8S, address slot x + immediate k (i32 add), offset y
	fI32Load8SC     // I32Load8S, constant effective address y
	fI64Load8S      // I64Load8S, address slot x, offset y
	fI64Load8SK     // I64Load8S, address slot x + immediate k (i32 add), offset y
	fI64Load8SC     // I64Load8S, constant effective address y
	fI32Load16S     // I32Load16S, address slot x, offset y
	fI32Load16SK    // I32Load16S, address slot x + immediate k (i32 add), offset y
	fI32Load16SC    // I32Load16S, constant effective address y
	fI64Load16S     // I64Load16S, address slot x, offset y
	fI64Load16SK    // I64Load16S, address slot x + immediate k (i32 add), offset y
	fI64Load16SC    // I64Load16S, constant effective address y
	fI64Load32S     // I64Load32S, address slot x, offset y
	fI64Load32SK    // I64Load32S, address slot x + immediate k (i32 add), offset y
	fI64Load32SC    // I64Load32S, constant effective address y
	fStore32        // I32Store/F32Store/I64Store32, address slot x, offset y, value slot t
	fStore32V       // I32Store/F32Store/I64Store32, address slot x, offset y, value immediate k
	fStore32A       // I32Store/F32Store/I64Store32, address slot x + immediate k (i32 add), offset y, value slot t
	fStore32C       // I32Store/F32Store/I64Store32, constant effective address y, value slot t
	fStore32CV      // I32Store/F32Store/I64Store32, constant effective address y, value immediate k
	fStore64        // I64Store/F64Store, address slot x, offset y, value slot t
	fStore64V       // I64Store/F64Store, address slot x, offset y, value immediate k
	fStore64A       // I64Store/F64Store, address slot x + immediate k (i32 add), offset y, value slot t
	fStore64C       // I64Store/F64Store, constant effective address y, value slot t
	fStore64CV      // I64Store/F64Store, constant effective address y, value immediate k
	fStore8         // I32Store8/I64Store8, address slot x, offset y, value slot t
	fStore8V        // I32Store8/I64Store8, address slot x, offset y, value immediate k
	fStore8A        // I32Store8/I64Store8, address slot x + immediate k (i32 add), offset y, value slot t
	fStore8C        // I32Store8/I64Store8, constant effective address y, value slot t
	fStore8CV       // I32Store8/I64Store8, constant effective address y, value immediate k
	fStore16        // I32Store16/I64Store16, address slot x, offset y, value slot t
	fStore16V       // I32Store16/I64Store16, address slot x, offset y, value immediate k
	fStore16A       // I32Store16/I64Store16, address slot x + immediate k (i32 add), offset y, value slot t
	fStore16C       // I32Store16/I64Store16, constant effective address y, value slot t
	fStore16CV      // I32Store16/I64Store16, constant effective address y, value immediate k
	fBrEq           // branch if x Eq y
	fBrEqK          // branch if x Eq k
	fBrNe           // branch if x Ne y
	fBrNeK          // branch if x Ne k
	fBrLtU          // branch if x LtU y
	fBrLtUK         // branch if x LtU k
	fBrGtU          // branch if x GtU y
	fBrGtUK         // branch if x GtU k
	fBrLeU          // branch if x LeU y
	fBrLeUK         // branch if x LeU k
	fBrGeU          // branch if x GeU y
	fBrGeUK         // branch if x GeU k
	fBrI32LtS       // branch if x I32LtS y
	fBrI32LtSK      // branch if x I32LtS k
	fBrI32GtS       // branch if x I32GtS y
	fBrI32GtSK      // branch if x I32GtS k
	fBrI32LeS       // branch if x I32LeS y
	fBrI32LeSK      // branch if x I32LeS k
	fBrI32GeS       // branch if x I32GeS y
	fBrI32GeSK      // branch if x I32GeS k
	fBrI64LtS       // branch if x I64LtS y
	fBrI64LtSK      // branch if x I64LtS k
	fBrI64GtS       // branch if x I64GtS y
	fBrI64GtSK      // branch if x I64GtS k
	fBrI64LeS       // branch if x I64LeS y
	fBrI64LeSK      // branch if x I64LeS k
	fBrI64GeS       // branch if x I64GeS y
	fBrI64GeSK      // branch if x I64GeS k
)
