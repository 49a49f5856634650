package dispute

import (
	"github.com/refereevm/referee/wasm"
)

// tableOp executes table.get/set/size/grow/fill.
func (v *vm) tableOp() error {
	k := wasm.Opcode(v.op.kind)
	var args [3]uint64
	nargs := 0
	switch k {
	case wasm.OpTableGet:
		nargs = 1
	case wasm.OpTableSet, wasm.OpTableGrow:
		nargs = 2
	case wasm.OpTableFill:
		nargs = 3
	}
	for i := nargs - 1; i >= 0; i-- {
		x, err := v.pop()
		if err != nil {
			return err
		}
		args[i] = x
	}
	ti, err := v.readTable(v.op.a)
	if err != nil {
		return err
	}
	switch k {
	case wasm.OpTableGet: // pops i32 index, pushes the element
		i := uint32(args[0])
		if i >= ti.size {
			v.trap(trapOOBTable)
			return nil
		}
		x, _, err := v.readElem(ti, i)
		if err != nil {
			return err
		}
		v.push(x)
	case wasm.OpTableSet: // pops ref, i32 index
		i := uint32(args[0])
		if i >= ti.size {
			v.trap(trapOOBTable)
			return nil
		}
		_, sib, err := v.readElem(ti, i)
		if err != nil {
			return err
		}
		v.writeTable(ti, ti.size, fold(elemsDomain, uint64(i), valueLeaf(args[1]), sib))
	case wasm.OpTableSize: // pushes the size
		v.push(uint64(ti.size))
	case wasm.OpTableGrow: // pops i32 delta, ref init; pushes the old size or -1
		init, delta := args[0], uint64(uint32(args[1]))
		if uint64(ti.size)+delta > uint64(ti.max) {
			v.push(0xffffffff)
			break
		}
		root := ti.root
		if delta != 0 && init != 0 {
			if root, err = v.fillElems(ti, uint64(ti.size), delta, init); err != nil {
				return err
			}
		}
		v.push(uint64(ti.size))
		v.writeTable(ti, ti.size+uint32(delta), root)
	case wasm.OpTableFill: // pops i32 n, ref val, i32 index
		i, val, n := uint64(uint32(args[0])), args[1], uint64(uint32(args[2]))
		if i+n > uint64(ti.size) {
			v.trap(trapOOBTable)
			return nil
		}
		if n > 0 {
			root, err := v.fillElems(ti, i, n, val)
			if err != nil {
				return err
			}
			v.writeTable(ti, ti.size, root)
		}
	}
	v.next()
	return nil
}

// fillElems returns the elements root after setting elements [i, i+n)
// (n > 0) to val, from the proofs of the first and the last element.
func (v *vm) fillElems(ti *tableInfo, i, n, val uint64) ([32]byte, error) {
	_, sibL, err := v.readElem(ti, uint32(i))
	if err != nil {
		return [32]byte{}, err
	}
	if n == 1 {
		return fold(elemsDomain, i, valueLeaf(val), sibL), nil
	}
	_, sibR, err := v.readElem(ti, uint32(i+n-1))
	if err != nil {
		return [32]byte{}, err
	}
	l := valueLeaf(val)
	return fillTree(elemsDomain, depthFor(uint64(ti.max)), i, l, sibL, i+n-1, l, sibR, l), nil
}

// callIndirect pops the table index and calls the function it names.
func (v *vm) callIndirect() error {
	x, err := v.pop()
	if err != nil {
		return err
	}
	ti, err := v.readTable(v.op.a)
	if err != nil {
		return err
	}
	i := uint32(x)
	if i >= ti.size {
		v.trap(trapUndefinedElement)
		return nil
	}
	ref, _, err := v.readElem(ti, i)
	if err != nil {
		return err
	}
	if ref == 0 {
		v.trap(trapUninitializedElement)
		return nil
	}
	f, err := v.readFunc(ref-1, "callee")
	if err != nil {
		return err
	}
	if f.typeID != uint32(v.op.c) {
		v.trap(trapIndirectTypeMismatch)
		return nil
	}
	return v.enter(uint32(ref-1), f)
}
