package corpus

import "github.com/refereevm/referee/wasm"

// Passes that drop module items nothing refers to any more once functions
// and instructions are gone: globals, tables, the memory, types and
// locals. Each candidate still goes through validation and the predicate.

// dropItems tries to drop each unused global, table, memory, type and
// local.
func (mz *minimizer) dropItems() {
	for i := len(mz.cur.Globals) - 1; i >= 0 && !mz.stopped; i-- {
		if i < len(mz.cur.Globals) {
			mz.try(withoutGlobal(mz.cur, i))
		}
	}
	for i := len(mz.cur.Tables) - 1; i >= 0 && !mz.stopped; i-- {
		if i < len(mz.cur.Tables) {
			mz.try(withoutTable(mz.cur, i))
		}
	}
	if len(mz.cur.Memories) > 0 && !mz.stopped {
		c := *mz.cur
		c.Memories = nil
		c.Exports = nil
		for _, e := range mz.cur.Exports {
			if e.Kind != wasm.ExternMemory {
				c.Exports = append(c.Exports, e)
			}
		}
		mz.try(&c)
	}
	for i := len(mz.cur.Types) - 1; i >= 0 && !mz.stopped; i-- {
		if i < len(mz.cur.Types) {
			mz.try(withoutType(mz.cur, i))
		}
	}
	for fn := 0; fn < len(mz.cur.Codes) && !mz.stopped; fn++ {
		for mz.try(withoutLastLocal(mz.cur, fn)) {
		}
	}
}

// rewriteCode returns a copy of m with f applied to every instruction of
// every body; nil if f returns false for one (the item is still in use)
// or a body does not decode.
func rewriteCode(m *wasm.Module, f func(in *wasm.Instr) bool) *wasm.Module {
	c := *m
	c.Codes = append([]wasm.Code(nil), m.Codes...)
	for i := range c.Codes {
		ins, ok := decodeBody(c.Codes[i].Body)
		if !ok {
			return nil
		}
		for k := range ins {
			if !f(&ins[k]) {
				return nil
			}
		}
		c.Codes[i].Body = wasm.EncodeBody(ins)
	}
	return &c
}

// shift renumbers an index after item i is removed; false if it is i.
func shift(x *uint32, i uint32) bool {
	switch {
	case *x == i:
		return false
	case *x > i:
		*x--
	}
	return true
}

// withoutGlobal drops defined global d if nothing uses it.
func withoutGlobal(m *wasm.Module, d int) *wasm.Module {
	gi := uint32(m.NumImports(wasm.ExternGlobal) + d)
	c := rewriteCode(m, func(in *wasm.Instr) bool {
		if in.Op == wasm.OpGlobalGet || in.Op == wasm.OpGlobalSet {
			return shift(&in.Index, gi)
		}
		return true
	})
	if c == nil {
		return nil
	}
	fix := func(e *wasm.ConstExpr) bool {
		if e.Op != byte(wasm.OpGlobalGet) {
			return true
		}
		x := uint32(e.Imm)
		ok := shift(&x, gi)
		e.Imm = uint64(x)
		return ok
	}
	c.Globals = remove(m.Globals, d)
	for i := range c.Globals {
		if !fix(&c.Globals[i].Init) {
			return nil
		}
	}
	c.Elems = append([]wasm.Elem(nil), m.Elems...)
	for i := range c.Elems {
		c.Elems[i].Init = append([]wasm.ConstExpr(nil), c.Elems[i].Init...)
		if !fix(&c.Elems[i].Offset) {
			return nil
		}
		for j := range c.Elems[i].Init {
			if !fix(&c.Elems[i].Init[j]) {
				return nil
			}
		}
	}
	c.Datas = append([]wasm.Data(nil), m.Datas...)
	for i := range c.Datas {
		if !fix(&c.Datas[i].Offset) {
			return nil
		}
	}
	if c.Exports = renumberExports(m.Exports, wasm.ExternGlobal, gi); c.Exports == nil && len(m.Exports) > 0 {
		return nil
	}
	return c
}

// renumberExports shifts the exports of one kind after item i is removed;
// nil if one exports i.
func renumberExports(exps []wasm.Export, kind wasm.ExternKind, i uint32) []wasm.Export {
	out := make([]wasm.Export, 0, len(exps))
	for _, e := range exps {
		if e.Kind == kind && !shift(&e.Index, i) {
			return nil
		}
		out = append(out, e)
	}
	return out
}

// withoutTable drops defined table d if nothing uses it.
func withoutTable(m *wasm.Module, d int) *wasm.Module {
	ti := uint32(m.NumImports(wasm.ExternTable) + d)
	c := rewriteCode(m, func(in *wasm.Instr) bool {
		switch in.Op {
		case wasm.OpCallIndirect, wasm.OpTableInit:
			return shift(&in.Index2, ti)
		case wasm.OpTableGet, wasm.OpTableSet, wasm.OpTableGrow, wasm.OpTableSize, wasm.OpTableFill:
			return shift(&in.Index, ti)
		case wasm.OpTableCopy:
			return shift(&in.Index, ti) && shift(&in.Index2, ti)
		}
		return true
	})
	if c == nil {
		return nil
	}
	c.Tables = remove(m.Tables, d)
	c.Elems = append([]wasm.Elem(nil), m.Elems...)
	for i := range c.Elems {
		if c.Elems[i].Mode == wasm.SegmentActive && !shift(&c.Elems[i].Table, ti) {
			return nil
		}
	}
	if c.Exports = renumberExports(m.Exports, wasm.ExternTable, ti); c.Exports == nil && len(m.Exports) > 0 {
		return nil
	}
	return c
}

// withoutType drops type t if no function, import, call_indirect or block
// type uses it.
func withoutType(m *wasm.Module, t int) *wasm.Module {
	ti := uint32(t)
	c := rewriteCode(m, func(in *wasm.Instr) bool {
		switch {
		case in.Op == wasm.OpCallIndirect:
			return shift(&in.Index, ti)
		case (in.Op == wasm.OpBlock || in.Op == wasm.OpLoop || in.Op == wasm.OpIf) && in.Block.Kind == wasm.BlockTypeIndex:
			return shift(&in.Block.TypeIndex, ti)
		}
		return true
	})
	if c == nil {
		return nil
	}
	c.Types = remove(m.Types, t)
	c.Funcs = append([]uint32(nil), m.Funcs...)
	for i := range c.Funcs {
		if !shift(&c.Funcs[i], ti) {
			return nil
		}
	}
	c.Imports = append([]wasm.Import(nil), m.Imports...)
	for i := range c.Imports {
		if c.Imports[i].Kind == wasm.ExternFunc && !shift(&c.Imports[i].Func, ti) {
			return nil
		}
	}
	return c
}

// withoutLastLocal drops the last declared local of defined function fn
// if its body does not use it.
func withoutLastLocal(m *wasm.Module, fn int) *wasm.Module {
	code := m.Codes[fn]
	if code.NumLocals == 0 || len(code.Locals) == 0 {
		return nil
	}
	ft, ok := m.FuncType(uint32(m.NumImports(wasm.ExternFunc) + fn))
	if !ok {
		return nil
	}
	last := uint32(uint64(len(ft.Params)) + code.NumLocals - 1)
	ins, ok := decodeBody(code.Body)
	if !ok {
		return nil
	}
	for _, in := range ins {
		if (in.Op == wasm.OpLocalGet || in.Op == wasm.OpLocalSet || in.Op == wasm.OpLocalTee) && in.Index == last {
			return nil
		}
	}
	c := *m
	c.Codes = append([]wasm.Code(nil), m.Codes...)
	locals := append([]wasm.LocalDecl(nil), code.Locals...)
	n := len(locals) - 1
	if locals[n].Count--; locals[n].Count == 0 {
		locals = locals[:n]
	}
	c.Codes[fn].Locals = locals
	c.Codes[fn].NumLocals--
	return &c
}
