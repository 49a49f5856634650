package trace

import (
	"encoding/binary"
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// simdInstr compiles one vector instruction into o: its kind becomes
// 0xFD00|sub, its immediates go to a, b, c (trace/ops.go), and the type
// stack pops and pushes two slots per v128.
func (c *compiler) simdInstr(in *wasm.Instr, o *op) error {
	info, ok := wasm.SIMDInfo(in.SIMD)
	if !ok {
		return fmt.Errorf("unknown vector instruction 0xfd 0x%x", in.SIMD)
	}
	o.kind = wasm.SIMDOpcode(in.SIMD)
	switch info.Class {
	case wasm.SIMDLoad, wasm.SIMDStore, wasm.SIMDLoadLane, wasm.SIMDStoreLane:
		if c.fc.mem == nil {
			return fmt.Errorf("no memory")
		}
		o.c = uint64(in.MemOffset)
	}
	o.a = uint32(in.Lane)
	pops := func(ts ...wasm.ValType) {
		for i := len(ts) - 1; i >= 0; i-- {
			c.popValue()
		}
	}
	v := wasm.V128
	switch info.Class {
	case wasm.SIMDLoad:
		pops(wasm.I32)
		c.pushValue(v)
	case wasm.SIMDStore, wasm.SIMDStoreLane:
		pops(wasm.I32, v)
	case wasm.SIMDLoadLane:
		pops(wasm.I32, v)
		c.pushValue(v)
	case wasm.SIMDConst, wasm.SIMDShuffle:
		o.c = binary.LittleEndian.Uint64(in.V128[:8])
		o.a = binary.LittleEndian.Uint32(in.V128[8:12])
		o.b = binary.LittleEndian.Uint32(in.V128[12:])
		if info.Class == wasm.SIMDShuffle {
			pops(v, v)
		}
		c.pushValue(v)
	case wasm.SIMDSplat:
		pops(info.Scalar)
		c.pushValue(v)
	case wasm.SIMDExtract:
		pops(v)
		c.pushValue(info.Scalar)
	case wasm.SIMDReplace:
		pops(v, info.Scalar)
		c.pushValue(v)
	case wasm.SIMDUnary:
		pops(v)
		c.pushValue(v)
	case wasm.SIMDBinary:
		pops(v, v)
		c.pushValue(v)
	case wasm.SIMDTernary:
		pops(v, v, v)
		c.pushValue(v)
	case wasm.SIMDTest:
		pops(v)
		c.pushValue(wasm.I32)
	case wasm.SIMDShift:
		pops(v, wasm.I32)
		c.pushValue(v)
	}
	return nil
}

// v128Imm returns the 16-byte immediate of a v128.const or i8x16.shuffle op.
func (o *op) v128Imm() (lo, hi uint64) {
	return o.c, uint64(o.a) | uint64(o.b)<<32
}
