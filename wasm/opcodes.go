package wasm

import "fmt"

// Opcode identifies one Wasm instruction. A single-byte opcode is its byte
// value; a 0xFC-prefixed opcode is 0xFC00|sub (sub is the u32 sub-opcode);
// every 0xFD-prefixed (SIMD) instruction is OpSIMD, with the sub-opcode in
// Instr.SIMD. Opcodes that fit in a byte (below 0x100) are exactly the byte
// that starts the instruction in the binary, so byte(OpI32Const) is the
// value stored in ConstExpr.Op.
type Opcode uint16

// Opcodes of Wasm 2.0.
// https://webassembly.github.io/spec/core/binary/instructions.html
const (
	OpUnreachable       Opcode = 0x00   // unreachable
	OpNop               Opcode = 0x01   // nop
	OpBlock             Opcode = 0x02   // block
	OpLoop              Opcode = 0x03   // loop
	OpIf                Opcode = 0x04   // if
	OpElse              Opcode = 0x05   // else
	OpEnd               Opcode = 0x0B   // end
	OpBr                Opcode = 0x0C   // br
	OpBrIf              Opcode = 0x0D   // br_if
	OpBrTable           Opcode = 0x0E   // br_table
	OpReturn            Opcode = 0x0F   // return
	OpCall              Opcode = 0x10   // call
	OpCallIndirect      Opcode = 0x11   // call_indirect
	OpDrop              Opcode = 0x1A   // drop
	OpSelect            Opcode = 0x1B   // select
	OpSelectT           Opcode = 0x1C   // select t*
	OpLocalGet          Opcode = 0x20   // local.get
	OpLocalSet          Opcode = 0x21   // local.set
	OpLocalTee          Opcode = 0x22   // local.tee
	OpGlobalGet         Opcode = 0x23   // global.get
	OpGlobalSet         Opcode = 0x24   // global.set
	OpTableGet          Opcode = 0x25   // table.get
	OpTableSet          Opcode = 0x26   // table.set
	OpI32Load           Opcode = 0x28   // i32.load
	OpI64Load           Opcode = 0x29   // i64.load
	OpF32Load           Opcode = 0x2A   // f32.load
	OpF64Load           Opcode = 0x2B   // f64.load
	OpI32Load8S         Opcode = 0x2C   // i32.load8_s
	OpI32Load8U         Opcode = 0x2D   // i32.load8_u
	OpI32Load16S        Opcode = 0x2E   // i32.load16_s
	OpI32Load16U        Opcode = 0x2F   // i32.load16_u
	OpI64Load8S         Opcode = 0x30   // i64.load8_s
	OpI64Load8U         Opcode = 0x31   // i64.load8_u
	OpI64Load16S        Opcode = 0x32   // i64.load16_s
	OpI64Load16U        Opcode = 0x33   // i64.load16_u
	OpI64Load32S        Opcode = 0x34   // i64.load32_s
	OpI64Load32U        Opcode = 0x35   // i64.load32_u
	OpI32Store          Opcode = 0x36   // i32.store
	OpI64Store          Opcode = 0x37   // i64.store
	OpF32Store          Opcode = 0x38   // f32.store
	OpF64Store          Opcode = 0x39   // f64.store
	OpI32Store8         Opcode = 0x3A   // i32.store8
	OpI32Store16        Opcode = 0x3B   // i32.store16
	OpI64Store8         Opcode = 0x3C   // i64.store8
	OpI64Store16        Opcode = 0x3D   // i64.store16
	OpI64Store32        Opcode = 0x3E   // i64.store32
	OpMemorySize        Opcode = 0x3F   // memory.size
	OpMemoryGrow        Opcode = 0x40   // memory.grow
	OpI32Const          Opcode = 0x41   // i32.const
	OpI64Const          Opcode = 0x42   // i64.const
	OpF32Const          Opcode = 0x43   // f32.const
	OpF64Const          Opcode = 0x44   // f64.const
	OpI32Eqz            Opcode = 0x45   // i32.eqz
	OpI32Eq             Opcode = 0x46   // i32.eq
	OpI32Ne             Opcode = 0x47   // i32.ne
	OpI32LtS            Opcode = 0x48   // i32.lt_s
	OpI32LtU            Opcode = 0x49   // i32.lt_u
	OpI32GtS            Opcode = 0x4A   // i32.gt_s
	OpI32GtU            Opcode = 0x4B   // i32.gt_u
	OpI32LeS            Opcode = 0x4C   // i32.le_s
	OpI32LeU            Opcode = 0x4D   // i32.le_u
	OpI32GeS            Opcode = 0x4E   // i32.ge_s
	OpI32GeU            Opcode = 0x4F   // i32.ge_u
	OpI64Eqz            Opcode = 0x50   // i64.eqz
	OpI64Eq             Opcode = 0x51   // i64.eq
	OpI64Ne             Opcode = 0x52   // i64.ne
	OpI64LtS            Opcode = 0x53   // i64.lt_s
	OpI64LtU            Opcode = 0x54   // i64.lt_u
	OpI64GtS            Opcode = 0x55   // i64.gt_s
	OpI64GtU            Opcode = 0x56   // i64.gt_u
	OpI64LeS            Opcode = 0x57   // i64.le_s
	OpI64LeU            Opcode = 0x58   // i64.le_u
	OpI64GeS            Opcode = 0x59   // i64.ge_s
	OpI64GeU            Opcode = 0x5A   // i64.ge_u
	OpF32Eq             Opcode = 0x5B   // f32.eq
	OpF32Ne             Opcode = 0x5C   // f32.ne
	OpF32Lt             Opcode = 0x5D   // f32.lt
	OpF32Gt             Opcode = 0x5E   // f32.gt
	OpF32Le             Opcode = 0x5F   // f32.le
	OpF32Ge             Opcode = 0x60   // f32.ge
	OpF64Eq             Opcode = 0x61   // f64.eq
	OpF64Ne             Opcode = 0x62   // f64.ne
	OpF64Lt             Opcode = 0x63   // f64.lt
	OpF64Gt             Opcode = 0x64   // f64.gt
	OpF64Le             Opcode = 0x65   // f64.le
	OpF64Ge             Opcode = 0x66   // f64.ge
	OpI32Clz            Opcode = 0x67   // i32.clz
	OpI32Ctz            Opcode = 0x68   // i32.ctz
	OpI32Popcnt         Opcode = 0x69   // i32.popcnt
	OpI32Add            Opcode = 0x6A   // i32.add
	OpI32Sub            Opcode = 0x6B   // i32.sub
	OpI32Mul            Opcode = 0x6C   // i32.mul
	OpI32DivS           Opcode = 0x6D   // i32.div_s
	OpI32DivU           Opcode = 0x6E   // i32.div_u
	OpI32RemS           Opcode = 0x6F   // i32.rem_s
	OpI32RemU           Opcode = 0x70   // i32.rem_u
	OpI32And            Opcode = 0x71   // i32.and
	OpI32Or             Opcode = 0x72   // i32.or
	OpI32Xor            Opcode = 0x73   // i32.xor
	OpI32Shl            Opcode = 0x74   // i32.shl
	OpI32ShrS           Opcode = 0x75   // i32.shr_s
	OpI32ShrU           Opcode = 0x76   // i32.shr_u
	OpI32Rotl           Opcode = 0x77   // i32.rotl
	OpI32Rotr           Opcode = 0x78   // i32.rotr
	OpI64Clz            Opcode = 0x79   // i64.clz
	OpI64Ctz            Opcode = 0x7A   // i64.ctz
	OpI64Popcnt         Opcode = 0x7B   // i64.popcnt
	OpI64Add            Opcode = 0x7C   // i64.add
	OpI64Sub            Opcode = 0x7D   // i64.sub
	OpI64Mul            Opcode = 0x7E   // i64.mul
	OpI64DivS           Opcode = 0x7F   // i64.div_s
	OpI64DivU           Opcode = 0x80   // i64.div_u
	OpI64RemS           Opcode = 0x81   // i64.rem_s
	OpI64RemU           Opcode = 0x82   // i64.rem_u
	OpI64And            Opcode = 0x83   // i64.and
	OpI64Or             Opcode = 0x84   // i64.or
	OpI64Xor            Opcode = 0x85   // i64.xor
	OpI64Shl            Opcode = 0x86   // i64.shl
	OpI64ShrS           Opcode = 0x87   // i64.shr_s
	OpI64ShrU           Opcode = 0x88   // i64.shr_u
	OpI64Rotl           Opcode = 0x89   // i64.rotl
	OpI64Rotr           Opcode = 0x8A   // i64.rotr
	OpF32Abs            Opcode = 0x8B   // f32.abs
	OpF32Neg            Opcode = 0x8C   // f32.neg
	OpF32Ceil           Opcode = 0x8D   // f32.ceil
	OpF32Floor          Opcode = 0x8E   // f32.floor
	OpF32Trunc          Opcode = 0x8F   // f32.trunc
	OpF32Nearest        Opcode = 0x90   // f32.nearest
	OpF32Sqrt           Opcode = 0x91   // f32.sqrt
	OpF32Add            Opcode = 0x92   // f32.add
	OpF32Sub            Opcode = 0x93   // f32.sub
	OpF32Mul            Opcode = 0x94   // f32.mul
	OpF32Div            Opcode = 0x95   // f32.div
	OpF32Min            Opcode = 0x96   // f32.min
	OpF32Max            Opcode = 0x97   // f32.max
	OpF32Copysign       Opcode = 0x98   // f32.copysign
	OpF64Abs            Opcode = 0x99   // f64.abs
	OpF64Neg            Opcode = 0x9A   // f64.neg
	OpF64Ceil           Opcode = 0x9B   // f64.ceil
	OpF64Floor          Opcode = 0x9C   // f64.floor
	OpF64Trunc          Opcode = 0x9D   // f64.trunc
	OpF64Nearest        Opcode = 0x9E   // f64.nearest
	OpF64Sqrt           Opcode = 0x9F   // f64.sqrt
	OpF64Add            Opcode = 0xA0   // f64.add
	OpF64Sub            Opcode = 0xA1   // f64.sub
	OpF64Mul            Opcode = 0xA2   // f64.mul
	OpF64Div            Opcode = 0xA3   // f64.div
	OpF64Min            Opcode = 0xA4   // f64.min
	OpF64Max            Opcode = 0xA5   // f64.max
	OpF64Copysign       Opcode = 0xA6   // f64.copysign
	OpI32WrapI64        Opcode = 0xA7   // i32.wrap_i64
	OpI32TruncF32S      Opcode = 0xA8   // i32.trunc_f32_s
	OpI32TruncF32U      Opcode = 0xA9   // i32.trunc_f32_u
	OpI32TruncF64S      Opcode = 0xAA   // i32.trunc_f64_s
	OpI32TruncF64U      Opcode = 0xAB   // i32.trunc_f64_u
	OpI64ExtendI32S     Opcode = 0xAC   // i64.extend_i32_s
	OpI64ExtendI32U     Opcode = 0xAD   // i64.extend_i32_u
	OpI64TruncF32S      Opcode = 0xAE   // i64.trunc_f32_s
	OpI64TruncF32U      Opcode = 0xAF   // i64.trunc_f32_u
	OpI64TruncF64S      Opcode = 0xB0   // i64.trunc_f64_s
	OpI64TruncF64U      Opcode = 0xB1   // i64.trunc_f64_u
	OpF32ConvertI32S    Opcode = 0xB2   // f32.convert_i32_s
	OpF32ConvertI32U    Opcode = 0xB3   // f32.convert_i32_u
	OpF32ConvertI64S    Opcode = 0xB4   // f32.convert_i64_s
	OpF32ConvertI64U    Opcode = 0xB5   // f32.convert_i64_u
	OpF32DemoteF64      Opcode = 0xB6   // f32.demote_f64
	OpF64ConvertI32S    Opcode = 0xB7   // f64.convert_i32_s
	OpF64ConvertI32U    Opcode = 0xB8   // f64.convert_i32_u
	OpF64ConvertI64S    Opcode = 0xB9   // f64.convert_i64_s
	OpF64ConvertI64U    Opcode = 0xBA   // f64.convert_i64_u
	OpF64PromoteF32     Opcode = 0xBB   // f64.promote_f32
	OpI32ReinterpretF32 Opcode = 0xBC   // i32.reinterpret_f32
	OpI64ReinterpretF64 Opcode = 0xBD   // i64.reinterpret_f64
	OpF32ReinterpretI32 Opcode = 0xBE   // f32.reinterpret_i32
	OpF64ReinterpretI64 Opcode = 0xBF   // f64.reinterpret_i64
	OpI32Extend8S       Opcode = 0xC0   // i32.extend8_s
	OpI32Extend16S      Opcode = 0xC1   // i32.extend16_s
	OpI64Extend8S       Opcode = 0xC2   // i64.extend8_s
	OpI64Extend16S      Opcode = 0xC3   // i64.extend16_s
	OpI64Extend32S      Opcode = 0xC4   // i64.extend32_s
	OpRefNull           Opcode = 0xD0   // ref.null
	OpRefIsNull         Opcode = 0xD1   // ref.is_null
	OpRefFunc           Opcode = 0xD2   // ref.func
	OpI32TruncSatF32S   Opcode = 0xFC00 // i32.trunc_sat_f32_s
	OpI32TruncSatF32U   Opcode = 0xFC01 // i32.trunc_sat_f32_u
	OpI32TruncSatF64S   Opcode = 0xFC02 // i32.trunc_sat_f64_s
	OpI32TruncSatF64U   Opcode = 0xFC03 // i32.trunc_sat_f64_u
	OpI64TruncSatF32S   Opcode = 0xFC04 // i64.trunc_sat_f32_s
	OpI64TruncSatF32U   Opcode = 0xFC05 // i64.trunc_sat_f32_u
	OpI64TruncSatF64S   Opcode = 0xFC06 // i64.trunc_sat_f64_s
	OpI64TruncSatF64U   Opcode = 0xFC07 // i64.trunc_sat_f64_u
	OpMemoryInit        Opcode = 0xFC08 // memory.init
	OpDataDrop          Opcode = 0xFC09 // data.drop
	OpMemoryCopy        Opcode = 0xFC0A // memory.copy
	OpMemoryFill        Opcode = 0xFC0B // memory.fill
	OpTableInit         Opcode = 0xFC0C // table.init
	OpElemDrop          Opcode = 0xFC0D // elem.drop
	OpTableCopy         Opcode = 0xFC0E // table.copy
	OpTableGrow         Opcode = 0xFC0F // table.grow
	OpTableSize         Opcode = 0xFC10 // table.size
	OpTableFill         Opcode = 0xFC11 // table.fill

	// OpSIMD is every 0xFD-prefixed (vector) instruction in Instr.Op;
	// Instr.SIMD holds its sub-opcode. Elsewhere (the machine's ops,
	// traces) vector instruction nn is SIMDOpcode(nn) = 0xFD00|nn, so
	// OpSIMD doubles as v128.load there.
	OpSIMD Opcode = 0xFD00
)

// Prefix bytes of multi-byte opcodes.
const (
	prefixMisc byte = 0xFC
	prefixSIMD byte = 0xFD
)

// opNames holds the text-format name of every single-byte opcode ("" = illegal).
var opNames = [256]string{
	0x00: "unreachable",
	0x01: "nop",
	0x02: "block",
	0x03: "loop",
	0x04: "if",
	0x05: "else",
	0x0B: "end",
	0x0C: "br",
	0x0D: "br_if",
	0x0E: "br_table",
	0x0F: "return",
	0x10: "call",
	0x11: "call_indirect",
	0x1A: "drop",
	0x1B: "select",
	0x1C: "select",
	0x20: "local.get",
	0x21: "local.set",
	0x22: "local.tee",
	0x23: "global.get",
	0x24: "global.set",
	0x25: "table.get",
	0x26: "table.set",
	0x28: "i32.load",
	0x29: "i64.load",
	0x2A: "f32.load",
	0x2B: "f64.load",
	0x2C: "i32.load8_s",
	0x2D: "i32.load8_u",
	0x2E: "i32.load16_s",
	0x2F: "i32.load16_u",
	0x30: "i64.load8_s",
	0x31: "i64.load8_u",
	0x32: "i64.load16_s",
	0x33: "i64.load16_u",
	0x34: "i64.load32_s",
	0x35: "i64.load32_u",
	0x36: "i32.store",
	0x37: "i64.store",
	0x38: "f32.store",
	0x39: "f64.store",
	0x3A: "i32.store8",
	0x3B: "i32.store16",
	0x3C: "i64.store8",
	0x3D: "i64.store16",
	0x3E: "i64.store32",
	0x3F: "memory.size",
	0x40: "memory.grow",
	0x41: "i32.const",
	0x42: "i64.const",
	0x43: "f32.const",
	0x44: "f64.const",
	0x45: "i32.eqz",
	0x46: "i32.eq",
	0x47: "i32.ne",
	0x48: "i32.lt_s",
	0x49: "i32.lt_u",
	0x4A: "i32.gt_s",
	0x4B: "i32.gt_u",
	0x4C: "i32.le_s",
	0x4D: "i32.le_u",
	0x4E: "i32.ge_s",
	0x4F: "i32.ge_u",
	0x50: "i64.eqz",
	0x51: "i64.eq",
	0x52: "i64.ne",
	0x53: "i64.lt_s",
	0x54: "i64.lt_u",
	0x55: "i64.gt_s",
	0x56: "i64.gt_u",
	0x57: "i64.le_s",
	0x58: "i64.le_u",
	0x59: "i64.ge_s",
	0x5A: "i64.ge_u",
	0x5B: "f32.eq",
	0x5C: "f32.ne",
	0x5D: "f32.lt",
	0x5E: "f32.gt",
	0x5F: "f32.le",
	0x60: "f32.ge",
	0x61: "f64.eq",
	0x62: "f64.ne",
	0x63: "f64.lt",
	0x64: "f64.gt",
	0x65: "f64.le",
	0x66: "f64.ge",
	0x67: "i32.clz",
	0x68: "i32.ctz",
	0x69: "i32.popcnt",
	0x6A: "i32.add",
	0x6B: "i32.sub",
	0x6C: "i32.mul",
	0x6D: "i32.div_s",
	0x6E: "i32.div_u",
	0x6F: "i32.rem_s",
	0x70: "i32.rem_u",
	0x71: "i32.and",
	0x72: "i32.or",
	0x73: "i32.xor",
	0x74: "i32.shl",
	0x75: "i32.shr_s",
	0x76: "i32.shr_u",
	0x77: "i32.rotl",
	0x78: "i32.rotr",
	0x79: "i64.clz",
	0x7A: "i64.ctz",
	0x7B: "i64.popcnt",
	0x7C: "i64.add",
	0x7D: "i64.sub",
	0x7E: "i64.mul",
	0x7F: "i64.div_s",
	0x80: "i64.div_u",
	0x81: "i64.rem_s",
	0x82: "i64.rem_u",
	0x83: "i64.and",
	0x84: "i64.or",
	0x85: "i64.xor",
	0x86: "i64.shl",
	0x87: "i64.shr_s",
	0x88: "i64.shr_u",
	0x89: "i64.rotl",
	0x8A: "i64.rotr",
	0x8B: "f32.abs",
	0x8C: "f32.neg",
	0x8D: "f32.ceil",
	0x8E: "f32.floor",
	0x8F: "f32.trunc",
	0x90: "f32.nearest",
	0x91: "f32.sqrt",
	0x92: "f32.add",
	0x93: "f32.sub",
	0x94: "f32.mul",
	0x95: "f32.div",
	0x96: "f32.min",
	0x97: "f32.max",
	0x98: "f32.copysign",
	0x99: "f64.abs",
	0x9A: "f64.neg",
	0x9B: "f64.ceil",
	0x9C: "f64.floor",
	0x9D: "f64.trunc",
	0x9E: "f64.nearest",
	0x9F: "f64.sqrt",
	0xA0: "f64.add",
	0xA1: "f64.sub",
	0xA2: "f64.mul",
	0xA3: "f64.div",
	0xA4: "f64.min",
	0xA5: "f64.max",
	0xA6: "f64.copysign",
	0xA7: "i32.wrap_i64",
	0xA8: "i32.trunc_f32_s",
	0xA9: "i32.trunc_f32_u",
	0xAA: "i32.trunc_f64_s",
	0xAB: "i32.trunc_f64_u",
	0xAC: "i64.extend_i32_s",
	0xAD: "i64.extend_i32_u",
	0xAE: "i64.trunc_f32_s",
	0xAF: "i64.trunc_f32_u",
	0xB0: "i64.trunc_f64_s",
	0xB1: "i64.trunc_f64_u",
	0xB2: "f32.convert_i32_s",
	0xB3: "f32.convert_i32_u",
	0xB4: "f32.convert_i64_s",
	0xB5: "f32.convert_i64_u",
	0xB6: "f32.demote_f64",
	0xB7: "f64.convert_i32_s",
	0xB8: "f64.convert_i32_u",
	0xB9: "f64.convert_i64_s",
	0xBA: "f64.convert_i64_u",
	0xBB: "f64.promote_f32",
	0xBC: "i32.reinterpret_f32",
	0xBD: "i64.reinterpret_f64",
	0xBE: "f32.reinterpret_i32",
	0xBF: "f64.reinterpret_i64",
	0xC0: "i32.extend8_s",
	0xC1: "i32.extend16_s",
	0xC2: "i64.extend8_s",
	0xC3: "i64.extend16_s",
	0xC4: "i64.extend32_s",
	0xD0: "ref.null",
	0xD1: "ref.is_null",
	0xD2: "ref.func",
}

// miscNames holds the text-format names of the 0xFC-prefixed opcodes, by sub-opcode.
var miscNames = [...]string{
	0x00: "i32.trunc_sat_f32_s",
	0x01: "i32.trunc_sat_f32_u",
	0x02: "i32.trunc_sat_f64_s",
	0x03: "i32.trunc_sat_f64_u",
	0x04: "i64.trunc_sat_f32_s",
	0x05: "i64.trunc_sat_f32_u",
	0x06: "i64.trunc_sat_f64_s",
	0x07: "i64.trunc_sat_f64_u",
	0x08: "memory.init",
	0x09: "data.drop",
	0x0A: "memory.copy",
	0x0B: "memory.fill",
	0x0C: "table.init",
	0x0D: "elem.drop",
	0x0E: "table.copy",
	0x0F: "table.grow",
	0x10: "table.size",
	0x11: "table.fill",
}

// SIMDOpcode returns the opcode of vector instruction sub (0xFD00|sub).
func SIMDOpcode(sub uint32) Opcode { return Opcode(0xFD00 | sub&0xFF) }

// String returns the text-format name of o ("i32.add", "memory.fill",
// "i32x4.add" for SIMDOpcode(0xae)), or "opcode(0x..)" when o is not a
// Wasm 2.0 opcode.
func (o Opcode) String() string {
	switch {
	case o < 0x100:
		if s := opNames[o]; s != "" {
			return s
		}
	case o&0xFF00 == 0xFD00:
		if op, ok := SIMDInfo(uint32(o & 0xFF)); ok {
			return op.Name
		}
	case o&0xFF00 == 0xFC00 && int(o&0xFF) < len(miscNames):
		return miscNames[o&0xFF]
	}
	return fmt.Sprintf("opcode(0x%x)", uint16(o))
}

// Valid reports whether o is an opcode of Wasm 2.0 (SIMDOpcode(sub) for
// each vector instruction included).
func (o Opcode) Valid() bool {
	switch {
	case o < 0x100:
		return opNames[o] != ""
	case o&0xFF00 == 0xFD00:
		_, ok := SIMDInfo(uint32(o & 0xFF))
		return ok
	case o&0xFF00 == 0xFC00:
		return int(o&0xFF) < len(miscNames)
	}
	return false
}
