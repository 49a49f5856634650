package wasm

import "fmt"

// BlockKind says how a block type is encoded.
type BlockKind byte

// Block type kinds.
const (
	BlockEmpty     BlockKind = 0x40 // no params, no results
	BlockValue     BlockKind = 1    // no params, one result: BlockType.Val
	BlockTypeIndex BlockKind = 2    // the function type BlockType.TypeIndex (an s33 >= 0)
)

// BlockType is the type of a block, loop or if.
type BlockType struct {
	Kind      BlockKind
	Val       ValType // BlockValue only
	TypeIndex uint32  // BlockTypeIndex only
}

// Instr is one decoded instruction. Fields not listed for an opcode are zero.
//
//	opcode                                   fields
//	block, loop, if                          Block
//	br, br_if                                Index = label
//	br_table                                 Labels = targets without the default, Index = default label
//	call, ref.func                           Index = function index
//	call_indirect                            Index = type index, Index2 = table index
//	select                                   nothing
//	select t*                                SelectTypes = the types as written (validation wants
//	                                         exactly one); Index2 = uint32(SelectTypes[0]) if there is one
//	local.get/set/tee                        Index = local index
//	global.get/set                           Index = global index
//	table.get/set/grow/size/fill             Index = table index
//	loads and stores (0x28..0x3e)            Align = alignment exponent (< 32), MemOffset = offset;
//	                                         memory 0 implied
//	memory.size, memory.grow                 Index = memory index (always 0: a zero byte)
//	i32.const                                Const = uint64(int64(int32 value)) (sign-extended)
//	i64.const                                Const = uint64(value)
//	f32.const                                Const = IEEE bits in the low 32 bits
//	f64.const                                Const = IEEE bits
//	ref.null                                 Const = uint64(ValType) (FuncRef or ExternRef)
//	memory.init                              Index = data index, Index2 = memory (0)
//	data.drop                                Index = data index
//	memory.copy                              Index = destination memory (0), Index2 = source memory (0)
//	memory.fill                              Index = memory (0)
//	table.init                               Index = elem index, Index2 = destination table
//	elem.drop                                Index = elem index
//	table.copy                               Index = destination table, Index2 = source table
//	SIMD (OpSIMD)                            SIMD = sub-opcode; memory ops: Align, MemOffset;
//	                                         v128.const, i8x16.shuffle: V128; lane ops: Lane
//	all others                               nothing
type Instr struct {
	Op          Opcode
	Block       BlockType
	Index       uint32
	Index2      uint32
	Align       uint32
	MemOffset   uint32
	Const       uint64
	Labels      []uint32
	SelectTypes []ValType
	SIMD        uint32
	V128        [16]byte
	Lane        byte
}

// Opcode is in's opcode as the flat opcode space names it (wasm.Opcode):
// Op, or SIMDOpcode(SIMD) for a vector instruction (whose Op is OpSIMD).
func (in *Instr) Opcode() Opcode {
	if in.Op == OpSIMD {
		return SIMDOpcode(in.SIMD)
	}
	return in.Op
}

// ReadInstr decodes the instruction that starts at body[pc] and returns it
// with the offset just after it. It checks the encoding only (opcodes,
// LEB128 sizes, reserved zero bytes), not indices or types; error offsets
// are offsets in body. It never panics and allocates at most one slice
// bounded by len(body).
func ReadInstr(body []byte, pc uint32) (Instr, uint32, error) {
	if uint64(pc) > uint64(len(body)) {
		return Instr{}, pc, errAt("read opcode", pc, ErrUnexpectedEOF)
	}
	r := reader{b: body, pos: pc}
	in, err := r.instr()
	return in, r.pos, err
}

// readValType reads one value type byte.
func (r *reader) valType(what string) (ValType, error) {
	off := r.off()
	c, err := r.byte1(what)
	if err != nil {
		return 0, err
	}
	switch t := ValType(c); t {
	case I32, I64, F32, F64, V128, FuncRef, ExternRef:
		return t, nil
	}
	return 0, errAt(fmt.Sprintf("read %s 0x%02x", what, c), off, ErrValueType)
}

// refType reads one reference type byte.
func (r *reader) refType(what string) (ValType, error) {
	off := r.off()
	c, err := r.byte1(what)
	if err != nil {
		return 0, err
	}
	if t := ValType(c); t == FuncRef || t == ExternRef {
		return t, nil
	}
	return 0, errAt(fmt.Sprintf("read %s 0x%02x (want 0x70 or 0x6f)", what, c), off, ErrRefType)
}

// zeroByte reads a reserved byte that must be 0x00.
func (r *reader) zeroByte(what string) error {
	off := r.off()
	c, err := r.byte1(what)
	if err != nil {
		return err
	}
	if c != 0 {
		return errAt(fmt.Sprintf("read %s 0x%02x", what, c), off, ErrZeroByte)
	}
	return nil
}

func (r *reader) blockType() (BlockType, error) {
	off := r.off()
	if r.pos < uint32(len(r.b)) {
		switch c := r.b[r.pos]; ValType(c) {
		case 0x40:
			r.pos++
			return BlockType{Kind: BlockEmpty}, nil
		case I32, I64, F32, F64, V128, FuncRef, ExternRef:
			r.pos++
			return BlockType{Kind: BlockValue, Val: ValType(c)}, nil
		}
	}
	x, err := r.s33("block type")
	if err != nil {
		return BlockType{}, err
	}
	if x < 0 {
		return BlockType{}, errAt("read block type", off, ErrBlockType)
	}
	return BlockType{Kind: BlockTypeIndex, TypeIndex: uint32(x)}, nil
}

func (r *reader) memarg(in *Instr) error {
	off := r.off()
	a, err := r.u32("memarg alignment")
	if err != nil {
		return err
	}
	if a >= 32 {
		return errAt(fmt.Sprintf("read memarg alignment %d", a), off, ErrMemopFlags)
	}
	in.Align = a
	in.MemOffset, err = r.u32("memarg offset")
	return err
}

// instr decodes one instruction at r.pos.
func (r *reader) instr() (Instr, error) {
	var in Instr
	start := r.off()
	c, err := r.byte1("opcode")
	if err != nil {
		return in, err
	}
	op := Opcode(c)
	in.Op = op
	switch {
	case c == prefixMisc:
		return in, r.miscInstr(&in, start)
	case c == prefixSIMD:
		return in, r.simdInstr(&in, start)
	case opNames[c] == "":
		return in, errAt(fmt.Sprintf("read opcode 0x%02x", c), start, ErrIllegalOpcode)
	case op >= OpI32Load && op <= OpI64Store32:
		return in, r.memarg(&in)
	}
	switch op {
	case OpBlock, OpLoop, OpIf:
		in.Block, err = r.blockType()
	case OpBr, OpBrIf:
		in.Index, err = r.u32("label index")
	case OpBrTable:
		var n uint32
		if n, err = r.u32("br_table count"); err != nil {
			return in, err
		}
		if n > r.left() { // every label takes at least one byte
			return in, errAt(fmt.Sprintf("read br_table count %d", n), start, r.eof())
		}
		in.Labels = makeN[[]uint32](n)
		for i := range in.Labels {
			if in.Labels[i], err = r.u32("br_table label"); err != nil {
				return in, err
			}
		}
		in.Index, err = r.u32("br_table default label")
	case OpCall, OpRefFunc:
		in.Index, err = r.u32("function index")
	case OpCallIndirect:
		if in.Index, err = r.u32("type index"); err != nil {
			return in, err
		}
		in.Index2, err = r.u32("table index")
	case OpSelectT:
		var n uint32
		if n, err = r.u32("select type count"); err != nil {
			return in, err
		}
		if n > r.left() {
			return in, errAt(fmt.Sprintf("read select type count %d", n), start, r.eof())
		}
		in.SelectTypes = makeN[[]ValType](n)
		for i := range in.SelectTypes {
			if in.SelectTypes[i], err = r.valType("select type"); err != nil {
				return in, err
			}
		}
		if n > 0 {
			in.Index2 = uint32(in.SelectTypes[0])
		}
	case OpLocalGet, OpLocalSet, OpLocalTee:
		in.Index, err = r.u32("local index")
	case OpGlobalGet, OpGlobalSet:
		in.Index, err = r.u32("global index")
	case OpTableGet, OpTableSet:
		in.Index, err = r.u32("table index")
	case OpMemorySize, OpMemoryGrow:
		err = r.zeroByte("memory index")
	case OpI32Const:
		var v int32
		v, err = r.s32("i32 constant")
		in.Const = uint64(int64(v))
	case OpI64Const:
		var v int64
		v, err = r.s64("i64 constant")
		in.Const = uint64(v)
	case OpF32Const:
		var b []byte
		if b, err = r.bytesN(4, "f32 constant"); err == nil {
			in.Const = uint64(le32(b))
		}
	case OpF64Const:
		var b []byte
		if b, err = r.bytesN(8, "f64 constant"); err == nil {
			in.Const = uint64(le32(b)) | uint64(le32(b[4:]))<<32
		}
	case OpRefNull:
		var t ValType
		t, err = r.refType("ref.null type")
		in.Const = uint64(t)
	}
	return in, err
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// miscInstr decodes the rest of a 0xFC-prefixed instruction.
func (r *reader) miscInstr(in *Instr, start uint32) error {
	sub, err := r.u32("0xfc sub-opcode")
	if err != nil {
		return err
	}
	if sub >= uint32(len(miscNames)) {
		return errAt(fmt.Sprintf("read opcode 0xfc 0x%02x", sub), start, ErrIllegalOpcode)
	}
	in.Op = Opcode(0xFC00 | sub)
	switch in.Op {
	case OpMemoryInit:
		if in.Index, err = r.u32("data index"); err != nil {
			return err
		}
		return r.zeroByte("memory index")
	case OpDataDrop:
		in.Index, err = r.u32("data index")
	case OpMemoryCopy:
		if err = r.zeroByte("destination memory index"); err != nil {
			return err
		}
		return r.zeroByte("source memory index")
	case OpMemoryFill:
		return r.zeroByte("memory index")
	case OpTableInit:
		if in.Index, err = r.u32("elem index"); err != nil {
			return err
		}
		in.Index2, err = r.u32("table index")
	case OpElemDrop:
		in.Index, err = r.u32("elem index")
	case OpTableCopy:
		if in.Index, err = r.u32("destination table index"); err != nil {
			return err
		}
		in.Index2, err = r.u32("source table index")
	case OpTableGrow, OpTableSize, OpTableFill:
		in.Index, err = r.u32("table index")
	}
	return err
}

// simdImm classifies the immediates of SIMD sub-opcodes.
const (
	simdIllegal = iota
	simdNone
	simdMem     // memarg
	simdMemLane // memarg, lane byte
	simdLane    // lane byte
	simdBytes16 // 16 bytes (v128.const, i8x16.shuffle)
)

// simdKind returns the immediate class of a SIMD sub-opcode.
// https://webassembly.github.io/spec/core/binary/instructions.html#vector-instructions
func simdKind(sub uint32) int {
	op, ok := SIMDInfo(sub)
	if !ok {
		return simdIllegal
	}
	switch op.Class {
	case SIMDLoad, SIMDStore:
		return simdMem
	case SIMDLoadLane, SIMDStoreLane:
		return simdMemLane
	case SIMDExtract, SIMDReplace:
		return simdLane
	case SIMDConst, SIMDShuffle:
		return simdBytes16
	}
	return simdNone
}

// simdInstr decodes the rest of a 0xFD-prefixed instruction.
func (r *reader) simdInstr(in *Instr, start uint32) error {
	sub, err := r.u32("0xfd sub-opcode")
	if err != nil {
		return err
	}
	in.Op = OpSIMD
	in.SIMD = sub
	switch simdKind(sub) {
	case simdIllegal:
		if sub >= 0x100 && sub-0x100 < uint32(len(relaxedNames)) {
			return errAt(fmt.Sprintf("read opcode 0xfd 0x%x (%s)", sub, relaxedNames[sub-0x100]), start, ErrRelaxedSIMD)
		}
		return errAt(fmt.Sprintf("read opcode 0xfd 0x%02x", sub), start, ErrIllegalOpcode)
	case simdMem:
		return r.memarg(in)
	case simdMemLane:
		if err = r.memarg(in); err != nil {
			return err
		}
		in.Lane, err = r.byte1("lane index")
	case simdLane:
		in.Lane, err = r.byte1("lane index")
	case simdBytes16:
		var b []byte
		if b, err = r.bytesN(16, "v128 immediate"); err == nil {
			copy(in.V128[:], b)
		}
	}
	return err
}
