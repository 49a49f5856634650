package wasm

import "fmt"

// SIMDClass groups the 0xFD (vector) instructions by their immediates and
// stack signature, which is all the validator, the machine's compiler and
// the proof verifier need to know about an instruction before running it.
type SIMDClass uint8

// Classes of the Wasm 2.0 vector instructions. The signature of each class
// is given as pops -> pushes; t is the instruction's scalar type
// (SIMDOp.Scalar).
const (
	SIMDIllegal   SIMDClass = iota // not a Wasm 2.0 instruction
	SIMDLoad                       // memarg; [i32] -> [v128]
	SIMDStore                      // memarg; [i32 v128] -> []
	SIMDLoadLane                   // memarg, lane; [i32 v128] -> [v128]
	SIMDStoreLane                  // memarg, lane; [i32 v128] -> []
	SIMDConst                      // 16 bytes; [] -> [v128]
	SIMDShuffle                    // 16 lane bytes < 32; [v128 v128] -> [v128]
	SIMDSplat                      // [t] -> [v128]
	SIMDExtract                    // lane; [v128] -> [t]
	SIMDReplace                    // lane; [v128 t] -> [v128]
	SIMDUnary                      // [v128] -> [v128]
	SIMDBinary                     // [v128 v128] -> [v128]
	SIMDTernary                    // [v128 v128 v128] -> [v128] (v128.bitselect)
	SIMDTest                       // [v128] -> [i32] (any_true, all_true, bitmask)
	SIMDShift                      // [v128 i32] -> [v128]
)

// SIMDOp describes one vector instruction.
type SIMDOp struct {
	Name  string
	Class SIMDClass
	// Scalar is the scalar type of splat, extract_lane and replace_lane.
	Scalar ValType
	// Lanes is the number of lanes a lane immediate indexes (extract,
	// replace, load/store lane; 32 for shuffle's two inputs).
	Lanes byte
	// Width is the number of bytes a memory instruction reads or writes
	// (16 for v128.load and v128.store, 8 for load8x8_s, 4 for
	// load32_zero, 1 for load8_lane, ...); log2(Width) is its largest
	// alignment exponent.
	Width uint32
}

// MaxAlign returns the largest alignment exponent a memory instruction
// allows: log2 of its access width.
func (o SIMDOp) MaxAlign() uint32 {
	n := uint32(0)
	for w := o.Width; w > 1; w >>= 1 {
		n++
	}
	return n
}

// simdNames lists the text-format names of the 256 SIMD sub-opcodes 0x00..0xff
// ("" = reserved: the 20 gaps of the Wasm 2.0 encoding).
// https://webassembly.github.io/spec/core/binary/instructions.html#vector-instructions
var simdNames = [256]string{
	"v128.load", "v128.load8x8_s", "v128.load8x8_u", "v128.load16x4_s", "v128.load16x4_u",
	"v128.load32x2_s", "v128.load32x2_u", "v128.load8_splat", "v128.load16_splat",
	"v128.load32_splat", "v128.load64_splat", "v128.store", "v128.const", "i8x16.shuffle",
	"i8x16.swizzle", "i8x16.splat", "i16x8.splat", "i32x4.splat", "i64x2.splat",
	"f32x4.splat", "f64x2.splat",
	// 0x15
	"i8x16.extract_lane_s", "i8x16.extract_lane_u", "i8x16.replace_lane",
	"i16x8.extract_lane_s", "i16x8.extract_lane_u", "i16x8.replace_lane",
	"i32x4.extract_lane", "i32x4.replace_lane", "i64x2.extract_lane", "i64x2.replace_lane",
	"f32x4.extract_lane", "f32x4.replace_lane", "f64x2.extract_lane", "f64x2.replace_lane",
	// 0x23
	"i8x16.eq", "i8x16.ne", "i8x16.lt_s", "i8x16.lt_u", "i8x16.gt_s", "i8x16.gt_u",
	"i8x16.le_s", "i8x16.le_u", "i8x16.ge_s", "i8x16.ge_u",
	"i16x8.eq", "i16x8.ne", "i16x8.lt_s", "i16x8.lt_u", "i16x8.gt_s", "i16x8.gt_u",
	"i16x8.le_s", "i16x8.le_u", "i16x8.ge_s", "i16x8.ge_u",
	"i32x4.eq", "i32x4.ne", "i32x4.lt_s", "i32x4.lt_u", "i32x4.gt_s", "i32x4.gt_u",
	"i32x4.le_s", "i32x4.le_u", "i32x4.ge_s", "i32x4.ge_u",
	"f32x4.eq", "f32x4.ne", "f32x4.lt", "f32x4.gt", "f32x4.le", "f32x4.ge",
	"f64x2.eq", "f64x2.ne", "f64x2.lt", "f64x2.gt", "f64x2.le", "f64x2.ge",
	// 0x4d
	"v128.not", "v128.and", "v128.andnot", "v128.or", "v128.xor", "v128.bitselect",
	"v128.any_true",
	// 0x54
	"v128.load8_lane", "v128.load16_lane", "v128.load32_lane", "v128.load64_lane",
	"v128.store8_lane", "v128.store16_lane", "v128.store32_lane", "v128.store64_lane",
	"v128.load32_zero", "v128.load64_zero",
	"f32x4.demote_f64x2_zero", "f64x2.promote_low_f32x4",
	// 0x60
	"i8x16.abs", "i8x16.neg", "i8x16.popcnt", "i8x16.all_true", "i8x16.bitmask",
	"i8x16.narrow_i16x8_s", "i8x16.narrow_i16x8_u",
	"f32x4.ceil", "f32x4.floor", "f32x4.trunc", "f32x4.nearest",
	"i8x16.shl", "i8x16.shr_s", "i8x16.shr_u",
	"i8x16.add", "i8x16.add_sat_s", "i8x16.add_sat_u",
	"i8x16.sub", "i8x16.sub_sat_s", "i8x16.sub_sat_u",
	"f64x2.ceil", "f64x2.floor",
	"i8x16.min_s", "i8x16.min_u", "i8x16.max_s", "i8x16.max_u",
	"f64x2.trunc", "i8x16.avgr_u",
	"i16x8.extadd_pairwise_i8x16_s", "i16x8.extadd_pairwise_i8x16_u",
	"i32x4.extadd_pairwise_i16x8_s", "i32x4.extadd_pairwise_i16x8_u",
	// 0x80
	"i16x8.abs", "i16x8.neg", "i16x8.q15mulr_sat_s", "i16x8.all_true", "i16x8.bitmask",
	"i16x8.narrow_i32x4_s", "i16x8.narrow_i32x4_u",
	"i16x8.extend_low_i8x16_s", "i16x8.extend_high_i8x16_s",
	"i16x8.extend_low_i8x16_u", "i16x8.extend_high_i8x16_u",
	"i16x8.shl", "i16x8.shr_s", "i16x8.shr_u",
	"i16x8.add", "i16x8.add_sat_s", "i16x8.add_sat_u",
	"i16x8.sub", "i16x8.sub_sat_s", "i16x8.sub_sat_u",
	"f64x2.nearest", "i16x8.mul",
	"i16x8.min_s", "i16x8.min_u", "i16x8.max_s", "i16x8.max_u",
	"", "i16x8.avgr_u",
	"i16x8.extmul_low_i8x16_s", "i16x8.extmul_high_i8x16_s",
	"i16x8.extmul_low_i8x16_u", "i16x8.extmul_high_i8x16_u",
	// 0xa0
	"i32x4.abs", "i32x4.neg", "", "i32x4.all_true", "i32x4.bitmask", "", "",
	"i32x4.extend_low_i16x8_s", "i32x4.extend_high_i16x8_s",
	"i32x4.extend_low_i16x8_u", "i32x4.extend_high_i16x8_u",
	"i32x4.shl", "i32x4.shr_s", "i32x4.shr_u", "i32x4.add", "", "",
	"i32x4.sub", "", "", "", "i32x4.mul",
	"i32x4.min_s", "i32x4.min_u", "i32x4.max_s", "i32x4.max_u",
	"i32x4.dot_i16x8_s", "",
	"i32x4.extmul_low_i16x8_s", "i32x4.extmul_high_i16x8_s",
	"i32x4.extmul_low_i16x8_u", "i32x4.extmul_high_i16x8_u",
	// 0xc0
	"i64x2.abs", "i64x2.neg", "", "i64x2.all_true", "i64x2.bitmask", "", "",
	"i64x2.extend_low_i32x4_s", "i64x2.extend_high_i32x4_s",
	"i64x2.extend_low_i32x4_u", "i64x2.extend_high_i32x4_u",
	"i64x2.shl", "i64x2.shr_s", "i64x2.shr_u", "i64x2.add", "", "",
	"i64x2.sub", "", "", "", "i64x2.mul",
	"i64x2.eq", "i64x2.ne", "i64x2.lt_s", "i64x2.gt_s", "i64x2.le_s", "i64x2.ge_s",
	"i64x2.extmul_low_i32x4_s", "i64x2.extmul_high_i32x4_s",
	"i64x2.extmul_low_i32x4_u", "i64x2.extmul_high_i32x4_u",
	// 0xe0
	"f32x4.abs", "f32x4.neg", "", "f32x4.sqrt",
	"f32x4.add", "f32x4.sub", "f32x4.mul", "f32x4.div",
	"f32x4.min", "f32x4.max", "f32x4.pmin", "f32x4.pmax",
	"f64x2.abs", "f64x2.neg", "", "f64x2.sqrt",
	"f64x2.add", "f64x2.sub", "f64x2.mul", "f64x2.div",
	"f64x2.min", "f64x2.max", "f64x2.pmin", "f64x2.pmax",
	"i32x4.trunc_sat_f32x4_s", "i32x4.trunc_sat_f32x4_u",
	"f32x4.convert_i32x4_s", "f32x4.convert_i32x4_u",
	"i32x4.trunc_sat_f64x2_s_zero", "i32x4.trunc_sat_f64x2_u_zero",
	"f64x2.convert_low_i32x4_s", "f64x2.convert_low_i32x4_u",
}

// relaxedNames lists the relaxed-SIMD instructions (sub-opcodes 0x100..),
// which the decoder refuses by name.
// https://github.com/WebAssembly/relaxed-simd/blob/main/proposals/relaxed-simd/Overview.md#binary-format
var relaxedNames = [...]string{
	"i8x16.relaxed_swizzle", "i32x4.relaxed_trunc_f32x4_s", "i32x4.relaxed_trunc_f32x4_u",
	"i32x4.relaxed_trunc_f64x2_s_zero", "i32x4.relaxed_trunc_f64x2_u_zero",
	"f32x4.relaxed_madd", "f32x4.relaxed_nmadd", "f64x2.relaxed_madd", "f64x2.relaxed_nmadd",
	"i8x16.relaxed_laneselect", "i16x8.relaxed_laneselect", "i32x4.relaxed_laneselect",
	"i64x2.relaxed_laneselect", "f32x4.relaxed_min", "f32x4.relaxed_max",
	"f64x2.relaxed_min", "f64x2.relaxed_max", "i16x8.relaxed_q15mulr_s",
	"i16x8.relaxed_dot_i8x16_i7x16_s", "i32x4.relaxed_dot_i8x16_i7x16_add_s",
}

// simdOps is the description of every sub-opcode 0x00..0xff.
var simdOps = func() (t [256]SIMDOp) {
	for sub, name := range simdNames {
		if name == "" {
			continue
		}
		t[sub] = SIMDOp{Name: name, Class: simdClassOf(uint32(sub))}
	}
	width := [...]uint32{16, 8, 8, 8, 8, 8, 8, 1, 2, 4, 8, 16} // 0x00..0x0b
	for sub, w := range width {
		t[sub].Width = w
	}
	for i, w := range []uint32{1, 2, 4, 8} {
		t[0x54+i].Width, t[0x54+i].Lanes = w, byte(16/w)
		t[0x58+i].Width, t[0x58+i].Lanes = w, byte(16/w)
	}
	t[0x5c].Width, t[0x5d].Width = 4, 8
	t[0x0d].Lanes = 32
	scalar := [...]ValType{I32, I32, I32, I64, F32, F64} // splats 0x0f..0x14
	for i, s := range scalar {
		t[0x0f+i].Scalar = s
	}
	for _, l := range []struct {
		sub int
		t   ValType
		n   byte
	}{
		{0x15, I32, 16}, {0x16, I32, 16}, {0x17, I32, 16},
		{0x18, I32, 8}, {0x19, I32, 8}, {0x1a, I32, 8},
		{0x1b, I32, 4}, {0x1c, I32, 4}, {0x1d, I64, 2}, {0x1e, I64, 2},
		{0x1f, F32, 4}, {0x20, F32, 4}, {0x21, F64, 2}, {0x22, F64, 2},
	} {
		t[l.sub].Scalar, t[l.sub].Lanes = l.t, l.n
	}
	return t
}()

// simdClassOf classifies a sub-opcode whose name is not empty.
func simdClassOf(sub uint32) SIMDClass {
	switch {
	case sub <= 0x0a || sub == 0x5c || sub == 0x5d:
		return SIMDLoad
	case sub == 0x0b:
		return SIMDStore
	case sub == 0x0c:
		return SIMDConst
	case sub == 0x0d:
		return SIMDShuffle
	case sub >= 0x0f && sub <= 0x14:
		return SIMDSplat
	case sub >= 0x15 && sub <= 0x22:
		if sub == 0x17 || sub == 0x1a || sub >= 0x1c && sub%2 == 0 {
			return SIMDReplace
		}
		return SIMDExtract
	case sub >= 0x54 && sub <= 0x57:
		return SIMDLoadLane
	case sub >= 0x58 && sub <= 0x5b:
		return SIMDStoreLane
	case sub == 0x52:
		return SIMDTernary
	case sub == 0x53, sub == 0x63, sub == 0x64, sub == 0x83, sub == 0x84,
		sub == 0xa3, sub == 0xa4, sub == 0xc3, sub == 0xc4:
		return SIMDTest
	case sub == 0x6b || sub == 0x6c || sub == 0x6d || sub == 0x8b || sub == 0x8c || sub == 0x8d ||
		sub == 0xab || sub == 0xac || sub == 0xad || sub == 0xcb || sub == 0xcc || sub == 0xcd:
		return SIMDShift
	}
	if simdUnary(sub) {
		return SIMDUnary
	}
	return SIMDBinary
}

// simdUnary reports whether sub is a [v128] -> [v128] instruction.
func simdUnary(sub uint32) bool {
	switch sub {
	case 0x4d, // v128.not
		0x5e, 0x5f, // demote, promote
		0x60, 0x61, 0x62, // i8x16 abs neg popcnt
		0x67, 0x68, 0x69, 0x6a, // f32x4 rounding
		0x74, 0x75, 0x7a, 0x94, // f64x2 rounding
		0x7c, 0x7d, 0x7e, 0x7f, // extadd_pairwise
		0x80, 0x81, 0x87, 0x88, 0x89, 0x8a, // i16x8 abs neg extend
		0xa0, 0xa1, 0xa7, 0xa8, 0xa9, 0xaa, // i32x4 abs neg extend
		0xc0, 0xc1, 0xc7, 0xc8, 0xc9, 0xca, // i64x2 abs neg extend
		0xe0, 0xe1, 0xe3, 0xec, 0xed, 0xef, // float abs neg sqrt
		0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff: // conversions
		return true
	}
	return false
}

// SIMDNaNLanes returns the lane type (F32 or F64) of vector instruction
// sub whose float lanes may be NaNs with engine-chosen bits (arithmetic,
// rounding, min/max, sqrt, demote, promote), or 0: the lanes meter's
// canonicalize profile and the fuzzer's canonicalization rewrite. abs,
// neg, pmin and pmax move bits exactly.
func SIMDNaNLanes(sub uint32) ValType {
	switch {
	case sub >= 0x67 && sub <= 0x6a, sub == 0xe3, sub >= 0xe4 && sub <= 0xe9, sub == 0x5e:
		return F32
	case sub == 0x74 || sub == 0x75 || sub == 0x7a || sub == 0x94, sub == 0xef, sub >= 0xf0 && sub <= 0xf5, sub == 0x5f:
		return F64
	}
	return 0
}

// SIMDInfo returns the description of SIMD sub-opcode sub; ok is false if
// sub is not a Wasm 2.0 vector instruction.
func SIMDInfo(sub uint32) (op SIMDOp, ok bool) {
	if sub > 0xff || simdOps[sub].Class == SIMDIllegal {
		return SIMDOp{}, false
	}
	return simdOps[sub], true
}

// SIMDName returns the text-format name of SIMD sub-opcode sub
// ("i32x4.add"), or "0xfd 0x.." if it is none.
func SIMDName(sub uint32) string {
	if op, ok := SIMDInfo(sub); ok {
		return op.Name
	}
	if sub >= 0x100 && sub-0x100 < uint32(len(relaxedNames)) {
		return relaxedNames[sub-0x100]
	}
	return fmt.Sprintf("0xfd 0x%x", sub)
}

// SIMDOpcodes returns the number of Wasm 2.0 vector instructions (236).
func SIMDOpcodes() int {
	n := 0
	for _, o := range simdOps {
		if o.Class != SIMDIllegal {
			n++
		}
	}
	return n
}
