package wasm

// AppendInstr appends the binary encoding of in to b, with minimal LEB128
// immediates, reading the fields documented on Instr. It is the inverse of
// ReadInstr for instructions ReadInstr returns (an opcode that is not in
// Wasm 2.0 is written as its low byte, and a zero BlockType as empty).
func AppendInstr(b []byte, in Instr) []byte {
	op := in.Op
	switch {
	case op == OpSIMD:
		return appendSIMD(append(b, prefixSIMD), in)
	case op >= 0xFC00 && op <= 0xFCFF:
		return appendMisc(appendU32(append(b, prefixMisc), uint32(op&0xFF)), in)
	case op >= OpI32Load && op <= OpI64Store32:
		return appendMemarg(append(b, byte(op)), in)
	}
	b = append(b, byte(op))
	switch op {
	case OpBlock, OpLoop, OpIf:
		switch in.Block.Kind {
		case BlockValue:
			b = append(b, byte(in.Block.Val))
		case BlockTypeIndex:
			b = appendS64(b, int64(in.Block.TypeIndex))
		default:
			b = append(b, byte(BlockEmpty))
		}
	case OpBrTable:
		b = appendU32(b, uint32(len(in.Labels)))
		for _, l := range in.Labels {
			b = appendU32(b, l)
		}
		b = appendU32(b, in.Index)
	case OpBr, OpBrIf, OpCall, OpRefFunc, OpLocalGet, OpLocalSet, OpLocalTee,
		OpGlobalGet, OpGlobalSet, OpTableGet, OpTableSet:
		b = appendU32(b, in.Index)
	case OpCallIndirect:
		b = appendU32(appendU32(b, in.Index), in.Index2)
	case OpSelectT:
		b = appendValTypes(b, in.SelectTypes)
	case OpMemorySize, OpMemoryGrow:
		b = append(b, 0x00)
	case OpI32Const:
		b = appendS64(b, int64(int32(uint32(in.Const))))
	case OpI64Const:
		b = appendS64(b, int64(in.Const))
	case OpF32Const:
		b = appendLE(b, in.Const, 4)
	case OpF64Const:
		b = appendLE(b, in.Const, 8)
	case OpRefNull:
		b = append(b, byte(in.Const))
	}
	return b
}

func appendLE(b []byte, v uint64, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func appendMemarg(b []byte, in Instr) []byte {
	return appendU32(appendU32(b, in.Align), in.MemOffset)
}

func appendMisc(b []byte, in Instr) []byte {
	switch in.Op {
	case OpMemoryInit:
		b = append(appendU32(b, in.Index), 0x00)
	case OpDataDrop, OpElemDrop, OpTableGrow, OpTableSize, OpTableFill:
		b = appendU32(b, in.Index)
	case OpMemoryCopy:
		b = append(b, 0x00, 0x00)
	case OpMemoryFill:
		b = append(b, 0x00)
	case OpTableInit, OpTableCopy:
		b = appendU32(appendU32(b, in.Index), in.Index2)
	}
	return b
}

func appendSIMD(b []byte, in Instr) []byte {
	b = appendU32(b, in.SIMD)
	switch simdKind(in.SIMD) {
	case simdMem:
		b = appendMemarg(b, in)
	case simdMemLane:
		b = append(appendMemarg(b, in), in.Lane)
	case simdLane:
		b = append(b, in.Lane)
	case simdBytes16:
		b = append(b, in.V128[:]...)
	}
	return b
}
