package fuzz

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// Generate builds a valid module from the choices in src (see Source): the
// same src and cfg always give the same module. The error is non-nil only
// if cfg is unusable (negative sizes).
func Generate(src []byte, cfg Config) (*wasm.Module, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return generate(NewSource(src), cfg, nil), nil
}

// GenerateSeed builds a valid module from choices drawn from seed by a
// splitmix64 generator. It panics only if cfg is unusable.
func GenerateSeed(seed uint64, cfg Config) *wasm.Module {
	if err := cfg.check(); err != nil {
		panic("BUG: GenerateSeed: " + err.Error())
	}
	return generate(NewSeedSource(seed), cfg, nil)
}

// GenerateFrom builds a module from the choices of s, which may already have
// been used (for instance by SwarmConfig).
func GenerateFrom(s *Source, cfg Config) (*wasm.Module, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return generate(s, cfg, nil), nil
}

func (c Config) check() error {
	for _, v := range []struct {
		name string
		n    int
	}{
		{"MaxTypes", c.MaxTypes}, {"MaxFuncs", c.MaxFuncs}, {"MaxInstrs", c.MaxInstrs},
		{"MaxDepth", c.MaxDepth}, {"MaxParams", c.MaxParams}, {"MaxResults", c.MaxResults},
		{"MaxLocals", c.MaxLocals}, {"MaxGlobals", c.MaxGlobals}, {"MaxTables", c.MaxTables},
		{"MaxElems", c.MaxElems}, {"MaxDatas", c.MaxDatas}, {"MaxDataLen", c.MaxDataLen},
	} {
		if v.n < 0 || v.n > 1<<16 {
			return fmt.Errorf("config: %s = %d out of range 0..65536", v.name, v.n)
		}
	}
	if c.MaxMemPages > 1<<10 || c.MaxTableSize > 1<<16 {
		return fmt.Errorf("config: MaxMemPages %d or MaxTableSize %d too large", c.MaxMemPages, c.MaxTableSize)
	}
	return nil
}

// gen holds the module under construction and what function bodies need to
// know about it.
type gen struct {
	cfg Config
	s   *Source
	m   *wasm.Module

	valTypes []wasm.ValType // value types the module may use

	nfuncs    int          // defined functions the generator may call (without the fuel reset)
	funcBase  int          // imported functions: defined function f has index funcBase+f
	globBase  int          // imported globals: defined global i has index globBase+i
	provider  *wasm.Module // the module imports come from ("env"), or nil
	declared  []uint32
	isDecl    []bool
	fuel      int // global index of the fuel counter, -1 without EnsureTermination
	checksum  int // global index of the checksum, -1 without Config.Checksum
	resetFunc int // function index of the fuel reset, -1 without EnsureTermination

	hasMem bool
	memMin uint32 // pages
	// edgeEAs are effective addresses edge accesses used (at most 8),
	// for later ones to reuse (see edgeAddress).
	edgeEAs []int64
	second  int8 // 0 until boundary picks: 1 or 2, the multiple of a page edges meet at

	// tableFuncs[t][i] is the function index that slot i of table t holds
	// after instantiation, or -1; used to bias call_indirect's type.
	tableFuncs [][]int

	dataPassive []bool
	elemPassive []bool
}

func generate(s *Source, cfg Config, provider *wasm.Module) *wasm.Module {
	g := &gen{cfg: cfg, s: s, m: &wasm.Module{}, fuel: -1, checksum: -1, resetFunc: -1, provider: provider}
	if !cfg.ReferenceTypes {
		g.cfg.MaxTables = min(g.cfg.MaxTables, 1)
	}
	if !cfg.MultiValue {
		g.cfg.MaxResults = min(g.cfg.MaxResults, 1)
	}
	if !cfg.Tables {
		g.cfg.CallIndirect = false
	}
	g.valTypes = []wasm.ValType{wasm.I32, wasm.I64}
	if cfg.Floats {
		g.valTypes = append(g.valTypes, wasm.F32, wasm.F64)
	}
	if cfg.ReferenceTypes {
		g.valTypes = append(g.valTypes, wasm.FuncRef, wasm.ExternRef)
	}
	if cfg.SIMD {
		g.valTypes = append(g.valTypes, wasm.V128)
	}

	g.genTypes()
	g.genImports()
	g.genFuncs()
	g.genGlobals()
	g.genMemory()
	g.genTables()
	g.genElems()
	g.genDatas()
	g.genCodes()
	g.genStart()
	g.genExports()
	return g.m
}

// valType picks a value type, i32 more often than the others.
func (g *gen) valType() wasm.ValType {
	n := g.s.Intn(len(g.valTypes) + 2)
	if n >= len(g.valTypes) {
		return wasm.I32
	}
	return g.valTypes[n]
}

// numType picks a numeric value type.
func (g *gen) numType() wasm.ValType {
	n := 2
	if g.cfg.Floats {
		n = 4
	}
	return g.valTypes[g.s.Intn(n)]
}

// typeIndex returns the index of ft in the type section, appending it if
// it is not there yet.
func (g *gen) typeIndex(ft wasm.FuncType) uint32 {
	for i, t := range g.m.Types {
		if t.Equal(ft) {
			return uint32(i)
		}
	}
	g.m.Types = append(g.m.Types, ft)
	return uint32(len(g.m.Types) - 1)
}

// funcType returns the type of defined function f.
func (g *gen) funcType(f int) wasm.FuncType { return g.m.Types[g.m.Funcs[f]] }

func (g *gen) genTypes() {
	n := 1 + g.s.Intn(g.cfg.MaxTypes)
	for i := 0; i < n; i++ {
		var ft wasm.FuncType
		np := g.s.Intn(g.cfg.MaxParams + 1)
		for j := 0; j < np; j++ {
			ft.Params = append(ft.Params, g.valType())
		}
		nr := g.s.Intn(g.cfg.MaxResults + 1)
		for j := 0; j < nr; j++ {
			ft.Results = append(ft.Results, g.valType())
		}
		g.m.Types = append(g.m.Types, ft) // duplicates are allowed and kept
	}
}

func (g *gen) genFuncs() {
	g.nfuncs = 1 + g.s.Intn(g.cfg.MaxFuncs)
	for i := 0; i < g.nfuncs; i++ {
		g.m.Funcs = append(g.m.Funcs, uint32(g.s.Intn(len(g.m.Types))))
	}
	if g.cfg.SIMD && hasV128(g.m.Types[g.m.Funcs[0]]) {
		// f0 is always exported: give it a type an export can have
		g.m.Funcs[0] = g.typeIndex(wasm.FuncType{Results: []wasm.ValType{wasm.I64}})
	}
	if g.cfg.EnsureTermination {
		g.resetFunc = len(g.m.Funcs)
		g.m.Funcs = append(g.m.Funcs, g.typeIndex(wasm.FuncType{}))
	}
	g.isDecl = make([]bool, g.funcBase+len(g.m.Funcs))
	if g.cfg.ReferenceTypes {
		for f := 0; f < g.nfuncs; f++ {
			if g.s.Chance(2, 3) {
				g.declare(uint32(g.funcBase + f))
			}
		}
	}
}

// declare records that ref.func f (an index in the function index space) may appear in function bodies; genElems
// adds a declarative segment for the functions no other segment names.
func (g *gen) declare(f uint32) {
	if !g.isDecl[f] {
		g.isDecl[f] = true
		g.declared = append(g.declared, f)
	}
}

// constExpr returns a constant expression of type t.
func (g *gen) constExpr(t wasm.ValType) wasm.ConstExpr {
	switch t {
	case wasm.I32:
		return wasm.ConstExpr{Op: byte(wasm.OpI32Const), Imm: uint64(int64(int32(g.i32Const())))}
	case wasm.I64:
		return wasm.ConstExpr{Op: byte(wasm.OpI64Const), Imm: g.i64Const()}
	case wasm.F32:
		return wasm.ConstExpr{Op: byte(wasm.OpF32Const), Imm: uint64(g.f32Const())}
	case wasm.F64:
		return wasm.ConstExpr{Op: byte(wasm.OpF64Const), Imm: g.f64Const()}
	case wasm.V128:
		return wasm.ConstExpr{Op: 0xFD, Imm: 0x0c, V128: g.v128Const()}
	case wasm.FuncRef:
		if len(g.declared) > 0 && g.s.Bool() {
			return wasm.ConstExpr{Op: byte(wasm.OpRefFunc), Imm: uint64(g.declared[g.s.Intn(len(g.declared))])}
		}
	}
	return wasm.ConstExpr{Op: byte(wasm.OpRefNull), Imm: uint64(t)}
}

func (g *gen) genGlobals() {
	if g.cfg.Globals {
		n := g.s.Intn(g.cfg.MaxGlobals + 1)
		for i := 0; i < n; i++ {
			t := g.valType()
			g.m.Globals = append(g.m.Globals, wasm.Global{
				Type: wasm.GlobalType{Type: t, Mutable: g.s.Bool()},
				Init: g.constExpr(t),
			})
		}
	}
	if g.cfg.Checksum {
		g.checksum = g.globBase + len(g.m.Globals)
		g.m.Globals = append(g.m.Globals, wasm.Global{
			Type: wasm.GlobalType{Type: wasm.I64, Mutable: true},
			Init: wasm.ConstExpr{Op: byte(wasm.OpI64Const)},
		})
	}
	if g.cfg.EnsureTermination {
		g.fuel = g.globBase + len(g.m.Globals)
		g.m.Globals = append(g.m.Globals, wasm.Global{
			Type: wasm.GlobalType{Type: wasm.I32, Mutable: true},
			Init: wasm.ConstExpr{Op: byte(wasm.OpI32Const), Imm: uint64(int64(int32(g.cfg.Fuel)))},
		})
	}
}

func (g *gen) genMemory() {
	if !g.cfg.Memory || g.hasMem { // g.hasMem: the memory is imported
		return
	}
	g.hasMem = true
	lo := uint32(0)
	if g.cfg.DisallowTraps || g.s.Chance(7, 8) {
		lo = 1
	}
	g.memMin = lo + uint32(g.s.Intn(int(max(g.cfg.MaxMemPages, lo)-lo+1)))
	maxPages := g.memMin + uint32(g.s.Intn(int(g.cfg.MaxMemPages)+1))
	g.m.Memories = []wasm.MemoryType{{Limits: wasm.Limits{Min: g.memMin, Max: maxPages, HasMax: true}}}
}

func (g *gen) genTables() {
	if !g.cfg.Tables {
		return
	}
	n := 1 + g.s.Intn(g.cfg.MaxTables)
	for i := 0; i < n; i++ {
		elem := wasm.FuncRef
		if i > 0 && g.s.Bool() {
			elem = wasm.ExternRef
		}
		lo := uint32(g.s.Intn(int(g.cfg.MaxTableSize) + 1))
		if lo == 0 && (g.cfg.DisallowTraps || g.s.Chance(7, 8)) {
			lo = 1 // an empty table makes every access trap
		}
		hi := lo + uint32(g.s.Intn(int(g.cfg.MaxTableSize)+1))
		g.m.Tables = append(g.m.Tables, wasm.TableType{Elem: elem, Limits: wasm.Limits{Min: lo, Max: hi, HasMax: true}})
		slots := make([]int, lo)
		for j := range slots {
			slots[j] = -1
		}
		g.tableFuncs = append(g.tableFuncs, slots)
	}
}
