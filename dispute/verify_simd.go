package dispute

import (
	"encoding/binary"
	"fmt"

	"github.com/refereevm/referee/merkle"
	"github.com/refereevm/referee/numeric"
	"github.com/refereevm/referee/wasm"
)

// Vector instructions. A v128 is two value-stack slots, bytes 0..7 then
// bytes 8..15 (docs/state-commitment.md §2), so it is two entries of the
// window; a v128 local is two local slots, which may lie in two leaves of
// the locals tree; a v128 global's leaf holds bytes 8..15 at leaf bytes
// 16..23 and bytes 0..7 at 24..31. The lane semantics are numeric's, the
// machine's own.

// Internal kinds of the v128 moves (trace/ops.go).
const (
	opDropV128      = 0x12
	opSelectV128    = 0x13
	opLocalGetV128  = 0x14
	opLocalSetV128  = 0x15
	opLocalTeeV128  = 0x16
	opGlobalGetV128 = 0x17
	opGlobalSetV128 = 0x18
)

// isSIMD reports whether op kind k is a vector instruction or a v128 move.
func isSIMD(k uint16) bool { return k>>8 == 0xFD || k >= opDropV128 && k <= opGlobalSetV128 }

func (v *vm) pop128() (numeric.V128, error) {
	hi, err := v.pop()
	if err != nil {
		return numeric.V128{}, err
	}
	lo, err := v.pop()
	return numeric.V128{Lo: lo, Hi: hi}, err
}

func (v *vm) push128(x numeric.V128) {
	v.push(x.Lo)
	v.push(x.Hi)
}

// simd executes a vector instruction or a v128 move.
func (v *vm) simd() error {
	o := v.op
	switch o.kind {
	case opDropV128: // pops v128
		if _, err := v.pop128(); err != nil {
			return err
		}
		v.next()
		return nil
	case opSelectV128: // pops c, v128 b, v128 a; pushes c ? a : b
		c, err := v.pop()
		if err != nil {
			return err
		}
		b, err := v.pop128()
		if err != nil {
			return err
		}
		a, err := v.pop128()
		if err != nil {
			return err
		}
		if uint32(c) == 0 {
			a = b
		}
		v.push128(a)
		v.next()
		return nil
	case opLocalGetV128, opLocalSetV128, opLocalTeeV128:
		return v.local128()
	case opGlobalGetV128, opGlobalSetV128:
		return v.global128()
	}
	sub := uint32(o.kind & 0xFF)
	info, ok := wasm.SIMDInfo(sub)
	if !ok || o.kind>>8 != 0xFD {
		return fmt.Errorf("%w: op kind 0x%04x is no vector instruction", ErrBadProof, o.kind)
	}
	switch info.Class {
	case wasm.SIMDLoad, wasm.SIMDStore, wasm.SIMDLoadLane, wasm.SIMDStoreLane:
		return v.simdMemory(sub, info)
	case wasm.SIMDConst: // pushes the immediate
		v.push128(numeric.V128{Lo: o.c, Hi: uint64(o.a) | uint64(o.b)<<32})
	case wasm.SIMDShuffle: // pops 2 v128, pushes v128
		b, err := v.pop128()
		if err != nil {
			return err
		}
		a, err := v.pop128()
		if err != nil {
			return err
		}
		var lanes [16]byte
		hi := uint64(o.a) | uint64(o.b)<<32
		for i := 0; i < 8; i++ {
			lanes[i], lanes[8+i] = byte(o.c>>(8*i)), byte(hi>>(8*i))
		}
		v.push128(numeric.Shuffle(a, b, lanes))
	case wasm.SIMDSplat: // pops t, pushes v128
		x, err := v.pop()
		if err != nil {
			return err
		}
		r, _ := numeric.Splat(sub, x)
		v.push128(r)
	case wasm.SIMDExtract: // pops v128, pushes t
		a, err := v.pop128()
		if err != nil {
			return err
		}
		x, ok := numeric.Extract(sub, a, byte(o.a))
		if !ok || o.a > 0xff {
			return fmt.Errorf("%w: %s lane %d", ErrBadProof, info.Name, o.a)
		}
		v.push(x)
	case wasm.SIMDReplace: // pops t, v128; pushes v128
		x, err := v.pop()
		if err != nil {
			return err
		}
		a, err := v.pop128()
		if err != nil {
			return err
		}
		r, ok := numeric.Replace(sub, a, byte(o.a), x)
		if !ok || o.a > 0xff {
			return fmt.Errorf("%w: %s lane %d", ErrBadProof, info.Name, o.a)
		}
		v.push128(r)
	case wasm.SIMDUnary: // pops v128, pushes v128
		a, err := v.pop128()
		if err != nil {
			return err
		}
		r, _ := numeric.Unary(sub, a)
		v.push128(r)
	case wasm.SIMDBinary: // pops 2 v128, pushes v128
		b, err := v.pop128()
		if err != nil {
			return err
		}
		a, err := v.pop128()
		if err != nil {
			return err
		}
		r, _ := numeric.Binary(sub, a, b)
		v.push128(r)
	case wasm.SIMDTernary: // pops 3 v128, pushes v128
		c, err := v.pop128()
		if err != nil {
			return err
		}
		b, err := v.pop128()
		if err != nil {
			return err
		}
		a, err := v.pop128()
		if err != nil {
			return err
		}
		v.push128(numeric.Bitselect(a, b, c))
	case wasm.SIMDTest: // pops v128, pushes i32
		a, err := v.pop128()
		if err != nil {
			return err
		}
		x, _ := numeric.Test(sub, a)
		v.push(uint64(x))
	case wasm.SIMDShift: // pops i32, v128; pushes v128
		n, err := v.pop()
		if err != nil {
			return err
		}
		a, err := v.pop128()
		if err != nil {
			return err
		}
		r, _ := numeric.Shift(sub, a, uint32(n))
		v.push128(r)
	}
	v.next()
	return nil
}

// simdMemory executes the vector loads and stores: the memory record, then
// (in bounds) the one or two chunks holding the bytes accessed, as for the
// scalar loads and stores.
func (v *vm) simdMemory(sub uint32, info wasm.SIMDOp) error {
	o := v.op
	var val numeric.V128
	var err error
	if info.Class != wasm.SIMDLoad {
		if val, err = v.pop128(); err != nil {
			return err
		}
	}
	addr, err := v.pop()
	if err != nil {
		return err
	}
	mi, err := v.readMem()
	if err != nil {
		return err
	}
	w := int(info.Width)
	ea := uint64(uint32(addr)) + o.c
	if ea+uint64(w) > uint64(mi.size)*wasmPageSize {
		v.trap(trapOOBMemory)
		return nil
	}
	cs, err := v.access(mi, ea, w)
	if err != nil {
		return err
	}
	laneBits := uint(8 * info.Width)
	switch info.Class {
	case wasm.SIMDLoad: // pops i32 addr, pushes v128
		var buf [16]byte
		copy(buf[:], read(cs, ea, w))
		r, _ := numeric.Load(sub, binary.LittleEndian.Uint64(buf[:8]), binary.LittleEndian.Uint64(buf[8:]))
		v.push128(r)
	case wasm.SIMDLoadLane: // pops v128, i32 addr; pushes the v128 with the lane loaded
		var buf [8]byte
		copy(buf[:], read(cs, ea, w))
		r, ok := numeric.SetLaneBits(val, laneBits, byte(o.a), binary.LittleEndian.Uint64(buf[:]))
		if !ok || o.a > 0xff {
			return fmt.Errorf("%w: %s lane %d", ErrBadProof, info.Name, o.a)
		}
		v.push128(r)
	default: // stores: pop v128, i32 addr
		var buf [16]byte
		if info.Class == wasm.SIMDStore {
			binary.LittleEndian.PutUint64(buf[:8], val.Lo)
			binary.LittleEndian.PutUint64(buf[8:], val.Hi)
		} else {
			x, ok := numeric.LaneBits(val, laneBits, byte(o.a))
			if !ok || o.a > 0xff {
				return fmt.Errorf("%w: %s lane %d", ErrBadProof, info.Name, o.a)
			}
			binary.LittleEndian.PutUint64(buf[:8], x)
		}
		root, err := write(cs, ea, buf[:w])
		if err != nil {
			return fmt.Errorf("%w: memory write: %v", ErrBadProof, err)
		}
		v.writeMem(mi, mi.size, root)
	}
	v.next()
	return nil
}

// local128 executes local.get, local.set and local.tee of a v128 local,
// slots a and a+1: the leaf holding slot a and, if slot a+1 is in the
// next leaf, that leaf too, each with its siblings.
func (v *vm) local128() error {
	o := v.op
	if uint64(o.a)+1 >= uint64(v.fn.locals) {
		return fmt.Errorf("%w: v128 local at slot %d of %d", ErrBadProof, o.a, v.fn.locals)
	}
	var x numeric.V128
	var err error
	if o.kind != opLocalGetV128 {
		if x, err = v.pop128(); err != nil {
			return err
		}
	}
	depth := localsDepth(v.fn.locals)
	j0, j1 := uint64(o.a/localsPerLeaf), uint64((o.a+1)/localsPerLeaf)
	s0, s1 := 8*int(o.a%localsPerLeaf), 8*int((o.a+1)%localsPerLeaf)
	leaf0, sib0, err := v.r.leafProof(localsDomain, depth, j0, v.s.frame.locals, "locals")
	if err != nil {
		return err
	}
	leaf1, sib1 := leaf0, sib0
	if j1 != j0 {
		if leaf1, sib1, err = v.r.leafProof(localsDomain, depth, j1, v.s.frame.locals, "locals (second slot)"); err != nil {
			return err
		}
	}
	if o.kind == opLocalGetV128 { // pushes the local
		v.push128(numeric.V128{Lo: binary.BigEndian.Uint64(leaf0[s0:]), Hi: binary.BigEndian.Uint64(leaf1[s1:])})
		v.next()
		return nil
	}
	if o.kind == opLocalTeeV128 { // copies the top into the local
		v.push128(x)
	}
	binary.BigEndian.PutUint64(leaf0[s0:], x.Lo)
	if j1 == j0 {
		binary.BigEndian.PutUint64(leaf0[s1:], x.Hi)
		v.s.frame.locals = fold(localsDomain, j0, leaf0, sib0)
	} else {
		binary.BigEndian.PutUint64(leaf1[s1:], x.Hi)
		sib, err := merkle.SiblingsAfterWrite(localsDomain, j0, leaf0, sib0, j1, sib1)
		if err != nil { // never: both proofs verified at one depth, j0 != j1
			return fmt.Errorf("%w: locals: %v", ErrBadProof, err)
		}
		v.s.frame.locals = fold(localsDomain, j1, leaf1, sib)
	}
	v.next()
	return nil
}

// global128 executes global.get and global.set of a v128 global.
func (v *vm) global128() error {
	o := v.op
	var x numeric.V128
	var err error
	set := o.kind == opGlobalSetV128
	if set {
		if x, err = v.pop128(); err != nil {
			return err
		}
	}
	if o.a >= v.s.nGlobals {
		return fmt.Errorf("%w: global %d of %d", ErrBadProof, o.a, v.s.nGlobals)
	}
	leaf, sib, err := v.r.leafProof(globalsDomain, depthFor(uint64(v.s.nGlobals)), uint64(o.a), v.s.globals, "global")
	if err != nil {
		return err
	}
	if set { // pops into global a
		binary.BigEndian.PutUint64(leaf[16:], x.Hi)
		binary.BigEndian.PutUint64(leaf[24:], x.Lo)
		v.s.globals = fold(globalsDomain, uint64(o.a), leaf, sib)
	} else { // pushes global a
		v.push128(numeric.V128{Lo: binary.BigEndian.Uint64(leaf[24:]), Hi: binary.BigEndian.Uint64(leaf[16:])})
	}
	v.next()
	return nil
}
