package corpus

import "github.com/refereevm/referee/wasm"

// The models of known bugs (KnownModels): each returns a copy of a module
// on which a correct engine computes what the buggy engine computes on the
// module, or nil when the bug cannot show on it.

// keepActiveData models an engine that keeps active data segments after
// instantiation (wazero v1.12.0, F1): every memory.init and data.drop of
// an active segment is pointed at a passive copy of it, so memory.init
// still finds the bytes until the copy is dropped.
func keepActiveData(m *wasm.Module) *wasm.Module {
	copyOf := map[uint32]uint32{}
	c := *m
	c.Datas = append([]wasm.Data(nil), m.Datas...)
	c.Codes = append([]wasm.Code(nil), m.Codes...)
	changed := false
	for fi := range c.Codes {
		body := c.Codes[fi].Body
		var out []byte
		for pc := uint32(0); pc < uint32(len(body)); {
			in, next, err := wasm.ReadInstr(body, pc)
			if err != nil || next <= pc {
				return nil
			}
			if (in.Op == wasm.OpMemoryInit || in.Op == wasm.OpDataDrop) && int(in.Index) < len(m.Datas) && m.Datas[in.Index].Mode == wasm.SegmentActive {
				j, ok := copyOf[in.Index]
				if !ok {
					j = uint32(len(c.Datas))
					c.Datas = append(c.Datas, wasm.Data{Mode: wasm.SegmentPassive, Init: m.Datas[in.Index].Init})
					copyOf[in.Index] = j
				}
				in.Index = j
				changed = true
			}
			out = wasm.AppendInstr(out, in)
			pc = next
		}
		c.Codes[fi].Body = out
	}
	if !changed {
		return nil
	}
	c.HasDataCount, c.DataCount = true, uint32(len(c.Datas))
	return &c
}

// emptyExternrefElems models an engine that leaves passive externref
// element segments empty (wazero v1.12.0, F2).
func emptyExternrefElems(m *wasm.Module) *wasm.Module {
	c := *m
	c.Elems = append([]wasm.Elem(nil), m.Elems...)
	changed := false
	for i, e := range c.Elems {
		if e.Mode == wasm.SegmentPassive && e.Type == wasm.ExternRef && len(e.Init) > 0 {
			c.Elems[i].Init = nil
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return &c
}

// skipOverflowingElems models an engine that skips, at instantiation, an
// active element segment that does not fit its table (wazero v1.12.0,
// F5): such a segment of a table the module defines, at a constant offset,
// becomes an empty one at offset 0.
func skipOverflowingElems(m *wasm.Module) *wasm.Module {
	c := *m
	c.Elems = append([]wasm.Elem(nil), m.Elems...)
	imported := m.NumImports(wasm.ExternTable)
	changed := false
	for i, e := range c.Elems {
		ti := int(e.Table) - imported
		if e.Mode != wasm.SegmentActive || e.Offset.Op != byte(wasm.OpI32Const) || ti < 0 || ti >= len(m.Tables) {
			continue
		}
		if uint64(uint32(e.Offset.Imm))+uint64(len(e.Init)) > uint64(m.Tables[ti].Limits.Min) {
			c.Elems[i].Offset.Imm, c.Elems[i].Init = 0, nil
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return &c
}
