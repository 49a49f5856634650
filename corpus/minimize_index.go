package corpus

import "github.com/refereevm/referee/wasm"

// withoutFunc returns a copy of m without defined function d, with the
// function index space rewritten: exports of it are dropped, a start
// function that is it is dropped, calls to it become drops of its
// arguments followed by zero constants of its results, ref.func of it (in
// code, element segments and global initializers) becomes ref.null func,
// and every later function index moves down by one. It returns nil if a
// body does not decode.
func withoutFunc(m *wasm.Module, d int) *wasm.Module {
	fi := uint32(m.NumImports(wasm.ExternFunc) + d)
	ft, ok := m.FuncType(fi)
	if !ok {
		return nil
	}
	c := *m
	c.Funcs = remove(m.Funcs, d)
	c.Codes = remove(m.Codes, d)
	c.Exports = nil
	for _, e := range m.Exports {
		if e.Kind == wasm.ExternFunc {
			if e.Index == fi {
				continue
			}
			if e.Index > fi {
				e.Index--
			}
		}
		c.Exports = append(c.Exports, e)
	}
	if m.HasStart {
		switch {
		case m.Start == fi:
			c.HasStart, c.Start = false, 0
		case m.Start > fi:
			c.Start--
		}
	}
	fixExpr := func(e wasm.ConstExpr) wasm.ConstExpr {
		if e.Op == byte(wasm.OpRefFunc) {
			switch {
			case uint32(e.Imm) == fi:
				e.Op, e.Imm = byte(wasm.OpRefNull), uint64(wasm.FuncRef)
			case uint32(e.Imm) > fi:
				e.Imm--
			}
		}
		return e
	}
	c.Globals = append([]wasm.Global(nil), m.Globals...)
	for i := range c.Globals {
		c.Globals[i].Init = fixExpr(c.Globals[i].Init)
	}
	c.Elems = append([]wasm.Elem(nil), m.Elems...)
	for i := range c.Elems {
		init := make([]wasm.ConstExpr, len(c.Elems[i].Init))
		for j, e := range c.Elems[i].Init {
			init[j] = fixExpr(e)
		}
		c.Elems[i].Init = init
	}
	for i := range c.Codes {
		ins, ok := decodeBody(c.Codes[i].Body)
		if !ok {
			return nil
		}
		var out []wasm.Instr
		for _, in := range ins {
			switch {
			case in.Op == wasm.OpCall && in.Index == fi:
				for range ft.Params {
					out = append(out, wasm.Instr{Op: wasm.OpDrop})
				}
				for _, t := range ft.Results {
					out = append(out, wasm.ZeroConst(t))
				}
				continue
			case in.Op == wasm.OpRefFunc && in.Index == fi:
				out = append(out, wasm.ZeroConst(wasm.FuncRef))
				continue
			case (in.Op == wasm.OpCall || in.Op == wasm.OpRefFunc) && in.Index > fi:
				in.Index--
			}
			out = append(out, in)
		}
		c.Codes[i].Body = wasm.EncodeBody(out)
	}
	return &c
}

// withoutSegment returns a copy of m without data segment i (data true)
// or element segment i, later segment indices moved down by one; nil if
// an instruction uses segment i or a body does not decode.
func withoutSegment(m *wasm.Module, i int, data bool) *wasm.Module {
	c := *m
	idx := uint32(i)
	var uses []wasm.Opcode
	if data {
		c.Datas = remove(m.Datas, i)
		if m.HasDataCount {
			c.DataCount = uint32(len(c.Datas))
		}
		uses = []wasm.Opcode{wasm.OpMemoryInit, wasm.OpDataDrop}
	} else {
		c.Elems = remove(m.Elems, i)
		uses = []wasm.Opcode{wasm.OpTableInit, wasm.OpElemDrop}
	}
	c.Codes = append([]wasm.Code(nil), m.Codes...)
	for f := range c.Codes {
		ins, ok := decodeBody(c.Codes[f].Body)
		if !ok {
			return nil
		}
		changed := false
		for k := range ins {
			if ins[k].Op != uses[0] && ins[k].Op != uses[1] {
				continue
			}
			switch {
			case ins[k].Index == idx:
				return nil
			case ins[k].Index > idx:
				ins[k].Index--
				changed = true
			}
		}
		if changed {
			c.Codes[f].Body = wasm.EncodeBody(ins)
		}
	}
	return &c
}
