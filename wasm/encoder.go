package wasm

// Encode writes m as a Wasm binary in a canonical form: sections in the
// spec's order, each present only if it has entries (start and data count
// when HasStart and HasDataCount say so), custom sections all at the end,
// minimal LEB128 everywhere outside function bodies, element segments in
// the function-index form when every initializer is a ref.func of a
// funcref segment and in the expression form otherwise, and function
// bodies copied byte for byte after re-encoded local declarations.
//
// Encode does not validate. For a module returned by Decode,
// Decode(Encode(m)) equals m except for the offset fields; a constant
// expression that Decode could only keep in part (a non-constant
// instruction with immediates ConstExpr cannot hold) is written with zero
// immediates.
// https://webassembly.github.io/spec/core/binary/modules.html
func Encode(m *Module) []byte {
	out := append(append([]byte{}, magic...), version...)
	var s []byte // contents of the section being built
	section := func(id byte) {
		out = append(out, id)
		out = appendU32(out, uint32(len(s)))
		out = append(out, s...)
		s = s[:0]
	}
	if len(m.Types) > 0 {
		s = appendU32(s, uint32(len(m.Types)))
		for _, t := range m.Types {
			s = append(s, 0x60)
			s = appendValTypes(s, t.Params)
			s = appendValTypes(s, t.Results)
		}
		section(sectionType)
	}
	if len(m.Imports) > 0 {
		s = appendU32(s, uint32(len(m.Imports)))
		for _, im := range m.Imports {
			s = appendName(s, im.Module)
			s = appendName(s, im.Name)
			s = append(s, byte(im.Kind))
			switch im.Kind {
			case ExternFunc:
				s = appendU32(s, im.Func)
			case ExternTable:
				s = appendTableType(s, im.Table)
			case ExternMemory:
				s = appendLimits(s, im.Memory.Limits)
			case ExternGlobal:
				s = appendGlobalType(s, im.Global)
			}
		}
		section(sectionImport)
	}
	if len(m.Funcs) > 0 {
		s = appendU32(s, uint32(len(m.Funcs)))
		for _, f := range m.Funcs {
			s = appendU32(s, f)
		}
		section(sectionFunction)
	}
	if len(m.Tables) > 0 {
		s = appendU32(s, uint32(len(m.Tables)))
		for _, t := range m.Tables {
			s = appendTableType(s, t)
		}
		section(sectionTable)
	}
	if len(m.Memories) > 0 {
		s = appendU32(s, uint32(len(m.Memories)))
		for _, mem := range m.Memories {
			s = appendLimits(s, mem.Limits)
		}
		section(sectionMemory)
	}
	if len(m.Globals) > 0 {
		s = appendU32(s, uint32(len(m.Globals)))
		for _, g := range m.Globals {
			s = appendGlobalType(s, g.Type)
			s = appendConstExpr(s, g.Init)
		}
		section(sectionGlobal)
	}
	if len(m.Exports) > 0 {
		s = appendU32(s, uint32(len(m.Exports)))
		for _, e := range m.Exports {
			s = appendName(s, e.Name)
			s = append(s, byte(e.Kind))
			s = appendU32(s, e.Index)
		}
		section(sectionExport)
	}
	if m.HasStart {
		s = appendU32(s, m.Start)
		section(sectionStart)
	}
	if len(m.Elems) > 0 {
		s = appendU32(s, uint32(len(m.Elems)))
		for i := range m.Elems {
			s = appendElem(s, &m.Elems[i])
		}
		section(sectionElement)
	}
	if m.HasDataCount {
		s = appendU32(s, m.DataCount)
		section(sectionDataCount)
	}
	if len(m.Codes) > 0 {
		s = appendU32(s, uint32(len(m.Codes)))
		var entry []byte
		for _, c := range m.Codes {
			entry = appendU32(entry[:0], uint32(len(c.Locals)))
			for _, l := range c.Locals {
				entry = appendU32(entry, l.Count)
				entry = append(entry, byte(l.Type))
			}
			s = appendU32(s, uint32(len(entry)+len(c.Body)))
			s = append(s, entry...)
			s = append(s, c.Body...)
		}
		section(sectionCode)
	}
	if len(m.Datas) > 0 {
		s = appendU32(s, uint32(len(m.Datas)))
		for _, d := range m.Datas {
			switch {
			case d.Mode == SegmentPassive:
				s = append(s, 1)
			case d.Memory == 0:
				s = append(s, 0)
				s = appendConstExpr(s, d.Offset)
			default:
				s = append(s, 2)
				s = appendU32(s, d.Memory)
				s = appendConstExpr(s, d.Offset)
			}
			s = appendU32(s, uint32(len(d.Init)))
			s = append(s, d.Init...)
		}
		section(sectionData)
	}
	for _, c := range m.Customs {
		s = appendName(s, c.Name)
		s = append(s, c.Data...)
		section(sectionCustom)
	}
	return out
}

func appendName(b []byte, s string) []byte {
	b = appendU32(b, uint32(len(s)))
	return append(b, s...)
}

func appendValTypes(b []byte, ts []ValType) []byte {
	b = appendU32(b, uint32(len(ts)))
	for _, t := range ts {
		b = append(b, byte(t))
	}
	return b
}

func appendLimits(b []byte, l Limits) []byte {
	if !l.HasMax {
		return appendU32(append(b, 0x00), l.Min)
	}
	b = appendU32(append(b, 0x01), l.Min)
	return appendU32(b, l.Max)
}

func appendTableType(b []byte, t TableType) []byte {
	return appendLimits(append(b, byte(t.Elem)), t.Limits)
}

func appendGlobalType(b []byte, g GlobalType) []byte {
	mut := byte(0)
	if g.Mutable {
		mut = 1
	}
	return append(b, byte(g.Type), mut)
}

// appendElem writes one element segment (see Encode for the form chosen).
func appendElem(b []byte, e *Elem) []byte {
	funcIdx := e.Type == FuncRef
	for _, c := range e.Init {
		if c.Op != byte(OpRefFunc) || c.Imm > 0xFFFFFFFF {
			funcIdx = false
			break
		}
	}
	var flags uint32
	switch e.Mode {
	case SegmentPassive:
		flags = elemFlagPassiveOrDecl
	case SegmentDeclarative:
		flags = elemFlagPassiveOrDecl | elemFlagExplicit
	default:
		// Forms 0 and 4 (table 0, no type byte) only say funcref.
		if e.Table != 0 || e.Type != FuncRef {
			flags = elemFlagExplicit
		}
	}
	if !funcIdx {
		flags |= elemFlagExprs
	}
	b = appendU32(b, flags)
	if e.Mode != SegmentPassive && e.Mode != SegmentDeclarative {
		if flags&elemFlagExplicit != 0 {
			b = appendU32(b, e.Table)
		}
		b = appendConstExpr(b, e.Offset)
	}
	hasKind := flags&(elemFlagPassiveOrDecl|elemFlagExplicit) != 0
	if hasKind {
		if funcIdx {
			b = append(b, 0x00) // elemkind funcref
		} else {
			b = append(b, byte(e.Type))
		}
	}
	b = appendU32(b, uint32(len(e.Init)))
	for _, c := range e.Init {
		if funcIdx {
			b = appendU32(b, uint32(c.Imm))
		} else {
			b = appendConstExpr(b, c)
		}
	}
	return b
}

// appendConstExpr writes a constant expression: its instruction, then end.
func appendConstExpr(b []byte, e ConstExpr) []byte {
	var in Instr
	switch e.Op {
	case byte(OpEnd):
		return append(b, byte(OpEnd))
	case prefixMisc:
		in.Op = OpI32TruncSatF32S
	case prefixSIMD:
		in = Instr{Op: OpSIMD, SIMD: uint32(e.Imm), V128: e.V128}
	default:
		in = Instr{Op: Opcode(e.Op), Index: uint32(e.Imm), Const: e.Imm}
	}
	return append(AppendInstr(b, in), byte(OpEnd))
}
