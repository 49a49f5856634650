package fuzz

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// refFunc is the constant expression ref.func f.
func refFunc(f uint32) wasm.ConstExpr {
	return wasm.ConstExpr{Op: byte(wasm.OpRefFunc), Imm: uint64(f)}
}

// refNull is the constant expression ref.null t.
func refNull(t wasm.ValType) wasm.ConstExpr {
	return wasm.ConstExpr{Op: byte(wasm.OpRefNull), Imm: uint64(t)}
}

func i32Expr(v uint32) wasm.ConstExpr {
	return wasm.ConstExpr{Op: byte(wasm.OpI32Const), Imm: uint64(int64(int32(v)))}
}

// elemInit returns n initializers of type t; funcref initializers name
// random functions (declaring them) or, with reference types, null.
func (g *gen) elemInit(t wasm.ValType, n int) []wasm.ConstExpr {
	init := make([]wasm.ConstExpr, n)
	for i := range init {
		if t == wasm.ExternRef || (g.cfg.ReferenceTypes && g.s.Chance(1, 5)) {
			init[i] = refNull(t)
			continue
		}
		f := uint32(g.funcBase + g.s.Intn(g.nfuncs))
		g.declare(f)
		init[i] = refFunc(f)
	}
	return init
}

func (g *gen) genElems() {
	if g.cfg.CallIndirect && len(g.m.Tables) > 0 && g.m.Tables[0].Limits.Min > 0 && g.s.Chance(7, 8) {
		// Fill the start of table 0 with functions for call_indirect.
		size := min(int(g.m.Tables[0].Limits.Min), 8)
		e := wasm.Elem{Type: wasm.FuncRef, Mode: wasm.SegmentActive, Offset: i32Expr(0), Init: make([]wasm.ConstExpr, size)}
		for j := range e.Init {
			fn := uint32(g.funcBase + g.s.Intn(g.nfuncs))
			g.declare(fn)
			e.Init[j] = refFunc(fn)
			g.tableFuncs[0][j] = int(fn)
		}
		g.m.Elems = append(g.m.Elems, e)
		g.elemPassive = append(g.elemPassive, false)
	}
	if len(g.m.Tables) > 0 {
		n := g.s.Intn(g.cfg.MaxElems + 1)
		for i := 0; i < n; i++ {
			mode := wasm.SegmentActive
			switch k := g.s.Intn(4); {
			case k == 1 && g.cfg.BulkMemory:
				mode = wasm.SegmentPassive
			case k == 2 && g.cfg.ReferenceTypes:
				mode = wasm.SegmentDeclarative
			}
			var e wasm.Elem
			switch mode {
			case wasm.SegmentActive:
				t := 0
				if g.cfg.ReferenceTypes {
					t = g.s.Intn(len(g.m.Tables))
				}
				tmin := int(g.m.Tables[t].Limits.Min)
				size := g.s.Intn(min(tmin, 8) + 1)
				off := g.s.Intn(tmin - size + 1)
				e = wasm.Elem{Type: g.m.Tables[t].Elem, Mode: mode, Table: uint32(t), Offset: i32Expr(uint32(off)),
					Init: g.elemInit(g.m.Tables[t].Elem, size)}
				for j, c := range e.Init {
					if c.Op == byte(wasm.OpRefFunc) {
						g.tableFuncs[t][off+j] = int(c.Imm)
					} else {
						g.tableFuncs[t][off+j] = -1
					}
				}
			default:
				t := wasm.FuncRef
				if mode == wasm.SegmentPassive && g.cfg.ReferenceTypes && g.s.Chance(1, 3) {
					t = wasm.ExternRef
				}
				e = wasm.Elem{Type: t, Mode: mode, Init: g.elemInit(t, g.s.Intn(9))}
			}
			g.m.Elems = append(g.m.Elems, e)
			g.elemPassive = append(g.elemPassive, mode == wasm.SegmentPassive)
		}
	}
	if !g.cfg.ReferenceTypes {
		return
	}
	// Functions declared in genFuncs but named by no segment get a
	// declarative segment, so that ref.func may name them.
	named := make([]bool, g.funcBase+len(g.m.Funcs))
	for _, e := range g.m.Elems {
		for _, c := range e.Init {
			if c.Op == byte(wasm.OpRefFunc) {
				named[c.Imm] = true
			}
		}
	}
	var rest []wasm.ConstExpr
	for _, f := range g.declared {
		if !named[f] {
			rest = append(rest, refFunc(f))
		}
	}
	if len(rest) > 0 {
		g.m.Elems = append(g.m.Elems, wasm.Elem{Type: wasm.FuncRef, Mode: wasm.SegmentDeclarative, Init: rest})
		g.elemPassive = append(g.elemPassive, false)
	}
}

func (g *gen) genDatas() {
	if !g.hasMem {
		return
	}
	n := g.s.Intn(g.cfg.MaxDatas + 1)
	memBytes := int(g.memMin) * 65536
	for i := 0; i < n; i++ {
		var d wasm.Data
		size := g.s.Intn(g.cfg.MaxDataLen + 1)
		if g.cfg.BulkMemory && g.s.Chance(1, 3) {
			d.Mode = wasm.SegmentPassive
		} else {
			size = min(size, memBytes)
			off := g.s.Intn(min(memBytes-size, 1024) + 1)
			switch {
			case g.s.Chance(1, 8):
				off = memBytes - size // at the very end
			case g.s.Chance(1, 4) && memBytes > 4096:
				// Across a 4 KiB boundary, so that accesses there read
				// bytes of both pages that are not all zero.
				off = max(min(int(g.boundary(int64(memBytes), 4096))-size/2, memBytes-size), 0)
			}
			d.Offset = i32Expr(uint32(off))
		}
		d.Init = make([]byte, size)
		for j := range d.Init {
			d.Init[j] = g.s.Byte()
		}
		g.m.Datas = append(g.m.Datas, d)
		g.dataPassive = append(g.dataPassive, d.Mode == wasm.SegmentPassive)
	}
	if g.cfg.BulkMemory {
		g.m.HasDataCount = true
		g.m.DataCount = uint32(len(g.m.Datas))
	}
}

func (g *gen) genStart() {
	if !g.cfg.StartFunc || !g.s.Chance(1, 4) {
		return
	}
	var cands []uint32
	for f := 0; f < g.nfuncs; f++ {
		ft := g.funcType(f)
		if len(ft.Params) == 0 && len(ft.Results) == 0 {
			cands = append(cands, uint32(g.funcBase+f))
		}
	}
	if len(cands) > 0 {
		g.m.HasStart = true
		g.m.Start = cands[g.s.Intn(len(cands))]
	}
}

// genExports exports functions as "f<i>", the memory as "memory", globals
// as "g<i>" (the fuel counter as "fuel", the checksum as ChecksumExport), tables as "t<i>", and the fuel
// reset as ResetFuelExport.
func (g *gen) genExports() {
	for f := 0; f < g.nfuncs; f++ {
		if g.cfg.SIMD && hasV128(g.funcType(f)) {
			continue // no v128 crosses an export (wasmtime-go has no v128 value)
		}
		if f == 0 || g.s.Chance(3, 4) {
			g.m.Exports = append(g.m.Exports, wasm.Export{Name: fmt.Sprintf("f%d", f), Kind: wasm.ExternFunc, Index: uint32(g.funcBase + f)})
		}
	}
	if g.hasMem && !g.s.Chance(1, 4) {
		g.m.Exports = append(g.m.Exports, wasm.Export{Name: "memory", Kind: wasm.ExternMemory})
	}
	for i := range g.m.Globals {
		i += g.globBase
		switch {
		case i == g.fuel:
			g.m.Exports = append(g.m.Exports, wasm.Export{Name: "fuel", Kind: wasm.ExternGlobal, Index: uint32(i)})
		case i == g.checksum:
			g.m.Exports = append(g.m.Exports, wasm.Export{Name: ChecksumExport, Kind: wasm.ExternGlobal, Index: uint32(i)})
		case g.m.Globals[i-g.globBase].Type.Type == wasm.V128:
		case g.s.Bool():
			g.m.Exports = append(g.m.Exports, wasm.Export{Name: fmt.Sprintf("g%d", i), Kind: wasm.ExternGlobal, Index: uint32(i)})
		}
	}
	for i := range g.m.Tables {
		if g.s.Chance(1, 3) {
			g.m.Exports = append(g.m.Exports, wasm.Export{Name: fmt.Sprintf("t%d", i), Kind: wasm.ExternTable, Index: uint32(i)})
		}
	}
	if g.resetFunc >= 0 {
		g.m.Exports = append(g.m.Exports, wasm.Export{Name: ResetFuelExport, Kind: wasm.ExternFunc, Index: uint32(g.funcBase + g.resetFunc)})
	}
}
