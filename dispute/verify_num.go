package dispute

import (
	"fmt"
	"math/bits"

	"github.com/refereevm/referee/numeric"
	"github.com/refereevm/referee/wasm"
)

// numeric executes the numeric ops: it pops the operands, computes and
// pushes the result, or traps.
func (v *vm) numeric() error {
	k := wasm.Opcode(v.op.kind)
	n := numArity(k)
	if n == 0 {
		return fmt.Errorf("%w: %s", ErrNotProvable, opName(v.op.kind))
	}
	var a, b uint64
	var err error
	if n == 2 {
		if b, err = v.pop(); err != nil {
			return err
		}
	}
	if a, err = v.pop(); err != nil {
		return err
	}
	r, trap, ok := intOp(k, a, b)
	if !ok {
		r, trap, ok = floatOp(k, a, b)
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotProvable, opName(v.op.kind))
	}
	if trap != 0 {
		v.trap(trap)
		return nil
	}
	v.push(r)
	v.next()
	return nil
}

// numArity returns the number of operands of a numeric op, 0 if k is not
// one.
func numArity(k wasm.Opcode) int {
	switch {
	case k == wasm.OpI32Eqz, k == wasm.OpI64Eqz:
		return 1
	case k >= 0x46 && k <= 0x66: // comparisons
		return 2
	case k >= 0x67 && k <= 0x69, k >= 0x79 && k <= 0x7b: // clz ctz popcnt
		return 1
	case k >= 0x6a && k <= 0x78, k >= 0x7c && k <= 0x8a: // integer binary
		return 2
	case k >= 0x8b && k <= 0x91, k >= 0x99 && k <= 0x9f: // float unary
		return 1
	case k >= 0x92 && k <= 0x98, k >= 0xa0 && k <= 0xa6: // float binary
		return 2
	case k >= 0xa7 && k <= 0xc4: // conversions, reinterpretations, sign extension
		return 1
	case k >= 0xfc00 && k <= 0xfc07: // saturating truncation
		return 1
	}
	return 0
}

// intOp computes the integer ops and the float ops that only move bits.
// ok is false for an op it does not cover.
func intOp(k wasm.Opcode, a, b uint64) (r uint64, trap byte, ok bool) {
	x, y := uint32(a), uint32(b)
	ok = true
	switch k {
	case wasm.OpI32Eqz:
		r = b2u(x == 0)
	case wasm.OpI32Eq:
		r = b2u(x == y)
	case wasm.OpI32Ne:
		r = b2u(x != y)
	case wasm.OpI32LtS:
		r = b2u(int32(x) < int32(y))
	case wasm.OpI32LtU:
		r = b2u(x < y)
	case wasm.OpI32GtS:
		r = b2u(int32(x) > int32(y))
	case wasm.OpI32GtU:
		r = b2u(x > y)
	case wasm.OpI32LeS:
		r = b2u(int32(x) <= int32(y))
	case wasm.OpI32LeU:
		r = b2u(x <= y)
	case wasm.OpI32GeS:
		r = b2u(int32(x) >= int32(y))
	case wasm.OpI32GeU:
		r = b2u(x >= y)
	case wasm.OpI64Eqz:
		r = b2u(a == 0)
	case wasm.OpI64Eq:
		r = b2u(a == b)
	case wasm.OpI64Ne:
		r = b2u(a != b)
	case wasm.OpI64LtS:
		r = b2u(int64(a) < int64(b))
	case wasm.OpI64LtU:
		r = b2u(a < b)
	case wasm.OpI64GtS:
		r = b2u(int64(a) > int64(b))
	case wasm.OpI64GtU:
		r = b2u(a > b)
	case wasm.OpI64LeS:
		r = b2u(int64(a) <= int64(b))
	case wasm.OpI64LeU:
		r = b2u(a <= b)
	case wasm.OpI64GeS:
		r = b2u(int64(a) >= int64(b))
	case wasm.OpI64GeU:
		r = b2u(a >= b)
	case wasm.OpI32Clz:
		r = uint64(bits.LeadingZeros32(x))
	case wasm.OpI32Ctz:
		r = uint64(bits.TrailingZeros32(x))
	case wasm.OpI32Popcnt:
		r = uint64(bits.OnesCount32(x))
	case wasm.OpI32Add:
		r = uint64(x + y)
	case wasm.OpI32Sub:
		r = uint64(x - y)
	case wasm.OpI32Mul:
		r = uint64(x * y)
	case wasm.OpI32DivS:
		v, t := numeric.I32DivS(x, y)
		r, trap = uint64(v), byte(t)
	case wasm.OpI32DivU:
		v, t := numeric.I32DivU(x, y)
		r, trap = uint64(v), byte(t)
	case wasm.OpI32RemS:
		v, t := numeric.I32RemS(x, y)
		r, trap = uint64(v), byte(t)
	case wasm.OpI32RemU:
		v, t := numeric.I32RemU(x, y)
		r, trap = uint64(v), byte(t)
	case wasm.OpI32And:
		r = uint64(x & y)
	case wasm.OpI32Or:
		r = uint64(x | y)
	case wasm.OpI32Xor:
		r = uint64(x ^ y)
	case wasm.OpI32Shl:
		r = uint64(x << (y & 31))
	case wasm.OpI32ShrS:
		r = uint64(uint32(int32(x) >> (y & 31)))
	case wasm.OpI32ShrU:
		r = uint64(x >> (y & 31))
	case wasm.OpI32Rotl:
		r = uint64(bits.RotateLeft32(x, int(y&31)))
	case wasm.OpI32Rotr:
		r = uint64(bits.RotateLeft32(x, -int(y&31)))
	case wasm.OpI64Clz:
		r = uint64(bits.LeadingZeros64(a))
	case wasm.OpI64Ctz:
		r = uint64(bits.TrailingZeros64(a))
	case wasm.OpI64Popcnt:
		r = uint64(bits.OnesCount64(a))
	case wasm.OpI64Add:
		r = a + b
	case wasm.OpI64Sub:
		r = a - b
	case wasm.OpI64Mul:
		r = a * b
	case wasm.OpI64DivS:
		v, t := numeric.I64DivS(a, b)
		r, trap = v, byte(t)
	case wasm.OpI64DivU:
		v, t := numeric.I64DivU(a, b)
		r, trap = v, byte(t)
	case wasm.OpI64RemS:
		v, t := numeric.I64RemS(a, b)
		r, trap = v, byte(t)
	case wasm.OpI64RemU:
		v, t := numeric.I64RemU(a, b)
		r, trap = v, byte(t)
	case wasm.OpI64And:
		r = a & b
	case wasm.OpI64Or:
		r = a | b
	case wasm.OpI64Xor:
		r = a ^ b
	case wasm.OpI64Shl:
		r = a << (b & 63)
	case wasm.OpI64ShrS:
		r = uint64(int64(a) >> (b & 63))
	case wasm.OpI64ShrU:
		r = a >> (b & 63)
	case wasm.OpI64Rotl:
		r = bits.RotateLeft64(a, int(b&63))
	case wasm.OpI64Rotr:
		r = bits.RotateLeft64(a, -int(b&63))
	case wasm.OpI32WrapI64:
		r = uint64(x)
	case wasm.OpI64ExtendI32S:
		r = uint64(int64(int32(x)))
	case wasm.OpI64ExtendI32U:
		r = uint64(x)
	case wasm.OpI32ReinterpretF32, wasm.OpF32ReinterpretI32, wasm.OpI64ReinterpretF64, wasm.OpF64ReinterpretI64:
		r = a
	case wasm.OpI32Extend8S:
		r = uint64(uint32(int32(int8(x))))
	case wasm.OpI32Extend16S:
		r = uint64(uint32(int32(int16(x))))
	case wasm.OpI64Extend8S:
		r = uint64(int64(int8(a)))
	case wasm.OpI64Extend16S:
		r = uint64(int64(int16(a)))
	case wasm.OpI64Extend32S:
		r = uint64(int64(int32(a)))
	case wasm.OpF32Abs:
		r = uint64(x &^ (1 << 31))
	case wasm.OpF32Neg:
		r = uint64(x ^ (1 << 31))
	case wasm.OpF32Copysign:
		r = uint64(x&^(1<<31) | y&(1<<31))
	case wasm.OpF64Abs:
		r = a &^ (1 << 63)
	case wasm.OpF64Neg:
		r = a ^ (1 << 63)
	case wasm.OpF64Copysign:
		r = a&^(1<<63) | b&(1<<63)
	default:
		ok = false
	}
	return r, trap, ok
}
