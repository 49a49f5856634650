package diff

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// Observed is a module made observable: a copy with an export for every
// global and the memory that the module does not export, and one added
// function per table that summarises it, so that every engine can be asked
// for all of its state through exports alone (no engine API reads an
// unexported global, and wazero has no table API). The copy adds exports
// and functions at the end of their index spaces and changes nothing else:
// every existing index, body and code-section offset stays as it was.
type Observed struct {
	Module *wasm.Module // the copy
	Binary []byte       // the copy, encoded
	Query  ObserveQuery // every global (index order), the memory, every table
	// GlobalTypes are the globals' types, in index order (imports first).
	GlobalTypes []wasm.ValType
	// TableTypes are the tables' element types, in index order.
	TableTypes []wasm.ValType
}

// Names of what Observable adds; each name gets a trailing "'" while the
// module already exports it.
const (
	observeGlobalPrefix = "referee:global:"
	observeMemoryName   = "referee:memory:0"
	observeTablePrefix  = "referee:table:"
)

// Observable returns the observable copy of a decoded module (which must
// be valid: the added code assumes its index spaces are).
func Observable(m *wasm.Module) *Observed {
	c := *m
	c.Exports = append([]wasm.Export(nil), m.Exports...)
	c.Types = append([]wasm.FuncType(nil), m.Types...)
	c.Funcs = append([]uint32(nil), m.Funcs...)
	c.Codes = append([]wasm.Code(nil), m.Codes...)
	o := &Observed{Module: &c}
	taken := map[string]bool{}
	for _, e := range m.Exports {
		taken[e.Name] = true
	}
	exported := func(kind wasm.ExternKind, idx uint32) (string, bool) {
		for _, e := range m.Exports {
			if e.Kind == kind && e.Index == idx {
				return e.Name, true
			}
		}
		return "", false
	}
	add := func(name string, kind wasm.ExternKind, idx uint32) string {
		for taken[name] {
			name += "'"
		}
		taken[name] = true
		c.Exports = append(c.Exports, wasm.Export{Name: name, Kind: kind, Index: idx})
		return name
	}
	var g uint32
	for _, im := range m.Imports {
		switch im.Kind {
		case wasm.ExternGlobal:
			o.GlobalTypes = append(o.GlobalTypes, im.Global.Type)
		case wasm.ExternTable:
			o.TableTypes = append(o.TableTypes, im.Table.Elem)
		}
	}
	for _, gl := range m.Globals {
		o.GlobalTypes = append(o.GlobalTypes, gl.Type.Type)
	}
	for _, t := range m.Tables {
		o.TableTypes = append(o.TableTypes, t.Elem)
	}
	for g = 0; g < uint32(len(o.GlobalTypes)); g++ {
		name, ok := exported(wasm.ExternGlobal, g)
		if !ok {
			name = add(fmt.Sprint(observeGlobalPrefix, g), wasm.ExternGlobal, g)
		}
		o.Query.Globals = append(o.Query.Globals, name)
	}
	if m.NumImports(wasm.ExternMemory)+len(m.Memories) > 0 {
		name, ok := exported(wasm.ExternMemory, 0)
		if !ok {
			name = add(observeMemoryName, wasm.ExternMemory, 0)
		}
		o.Query.Memory = name
	}
	if len(o.TableTypes) > 0 {
		ti := uint32(len(c.Types))
		c.Types = append(c.Types, wasm.FuncType{Results: []wasm.ValType{wasm.I32, wasm.I64}})
		nfuncs := uint32(m.NumImports(wasm.ExternFunc) + len(m.Funcs))
		for t := range o.TableTypes {
			c.Funcs = append(c.Funcs, ti)
			c.Codes = append(c.Codes, tableSummary(uint32(t)))
			o.Query.Tables = append(o.Query.Tables, add(fmt.Sprint(observeTablePrefix, t), wasm.ExternFunc, nfuncs))
			nfuncs++
		}
	}
	o.Binary = wasm.Encode(&c)
	return o
}

// Table summary hash: FNV-1a over the indexes of the non-null elements.
const (
	fnvOffset = 0xcbf29ce484222325
	fnvPrime  = 0x100000001b3
)

// tableSummary is the body of [] -> [i32 i64] returning table t's size and
// the FNV-1a hash (over u64 indexes, one xor-multiply per index) of the
// indexes of its non-null elements. Locals: 0 i, 1 n (i32), 2 h (i64).
func tableSummary(t uint32) wasm.Code {
	var b []byte
	in := func(op wasm.Opcode, idx uint32) { b = wasm.AppendInstr(b, wasm.Instr{Op: op, Index: idx}) }
	k := func(op wasm.Opcode, v uint64) { b = wasm.AppendInstr(b, wasm.Instr{Op: op, Const: v}) }
	in(wasm.OpTableSize, t)
	in(wasm.OpLocalSet, 1)
	k(wasm.OpI64Const, fnvOffset)
	in(wasm.OpLocalSet, 2)
	in(wasm.OpBlock, 0)
	in(wasm.OpLoop, 0)
	in(wasm.OpLocalGet, 0)
	in(wasm.OpLocalGet, 1)
	in(wasm.OpI32GeU, 0)
	in(wasm.OpBrIf, 1)
	in(wasm.OpLocalGet, 0)
	in(wasm.OpTableGet, t)
	in(wasm.OpRefIsNull, 0)
	in(wasm.OpI32Eqz, 0)
	in(wasm.OpIf, 0)
	in(wasm.OpLocalGet, 2)
	in(wasm.OpLocalGet, 0)
	in(wasm.OpI64ExtendI32U, 0)
	in(wasm.OpI64Xor, 0)
	k(wasm.OpI64Const, fnvPrime)
	in(wasm.OpI64Mul, 0)
	in(wasm.OpLocalSet, 2)
	in(wasm.OpEnd, 0)
	in(wasm.OpLocalGet, 0)
	k(wasm.OpI32Const, 1)
	in(wasm.OpI32Add, 0)
	in(wasm.OpLocalSet, 0)
	in(wasm.OpBr, 0)
	in(wasm.OpEnd, 0)
	in(wasm.OpEnd, 0)
	in(wasm.OpLocalGet, 1)
	in(wasm.OpLocalGet, 2)
	in(wasm.OpEnd, 0)
	return wasm.Code{
		Locals:    []wasm.LocalDecl{{Count: 2, Type: wasm.I32}, {Count: 1, Type: wasm.I64}},
		NumLocals: 3,
		Body:      b,
	}
}

// TableSummary computes what tableSummary's function returns, from the
// null-ness of each element: for engines that read tables directly.
func TableSummary(null []bool) [2]uint64 {
	h := uint64(fnvOffset)
	for i, n := range null {
		if !n {
			h = (h ^ uint64(i)) * fnvPrime
		}
	}
	return [2]uint64{uint64(len(null)), h}
}
