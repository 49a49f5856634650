package narrow

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/refereevm/referee/wasm"
)

// Names of what the step-counting instrumentation adds to a module.
const (
	EntryName     = "referee_narrow_entry" // the wrapper: the entry's params, then the stop target and HashFrom (i64)
	ExportSteps   = "referee_nsteps"       // i64: steps of the base module executed so far
	ExportStopAt  = "referee_stop_at"      // i64: stop before the step after this many
	ExportStopped = "referee_stopped"      // i32: 1 if the run ended at the stop target
	ExportHash    = "referee_rhash"        // i64: h1, the sum of every observed result times its site's key
	ExportHash2   = "referee_rhash2"       // i64: h2, the sum of h1 after each observed result
	ExportValue   = "referee_val"          // i64: at a stop, the last step's result (zero-extended bits), if it has one
	ExportPos     = "referee_pos"          // i32: at a stop, the site index of the next instruction
	ExportPlanted = "referee_planted"      // i64: executions of the planted op so far (only in plantNote's run)
	exportGas     = "referee_gas"          // the diff adapters set it; added if the base module lacks it
	globalPrefix  = "referee_g"            // + index: a base module's unexported global, made visible
	maxExtraExps  = 8                      // unexported globals exported at most (the hash covers the rest)
)

// Site is one instruction of the base module: a step executes exactly one.
type Site struct {
	Func   uint32       // function index in the module's index space
	Offset uint32       // byte offset in the code section
	Op     wasm.Opcode  // its opcode
	Result wasm.ValType // the type of its observed result; 0 if it has none observed
}

// Plant makes the instrumented module corrupt one result: the Nth execution
// (1-based) of Op with an integer result has bit 0 of that result flipped.
type Plant struct {
	Op  wasm.Opcode
	Nth uint64
}

// String renders p as its spec, "i32.add@1000000".
func (p Plant) String() string { return p.Op.String() + "@" + strconv.FormatUint(p.Nth, 10) }

// Instrumented is a base module rewritten to count and observe its steps.
type Instrumented struct {
	Module *wasm.Module
	Code   []byte
	Sites  []Site // by site index (referee_pos)
	Entry  string // the entry the wrapper calls
}

// globals added, in this order, after the base module's
type added struct {
	steps, stop, stopped, hash, hash2, val, pos, lim, plantCount uint32
	// stopVal and stopNoVal are the functions a stop calls: they write the
	// site, the last result (stopVal only), the counter and the hashes to
	// their globals, set stopped and trap. tick and tickVal check for the
	// stop and count a step, and fold folds a result, on the globals (the
	// copy of a straight run in which the stop falls works on those).
	stopVal, stopNoVal, tick, tickVal, fold uint32
}

// Instrument rewrites base so that every defined function stops in front
// of the instruction after step referee_stop_at (recording its site in
// referee_pos and the last result in referee_val, then referee_stopped = 1
// and unreachable), counts every step in referee_nsteps, and folds the
// observed results of the steps after HashFrom into referee_rhash and
// referee_rhash2 (stepcount_body.go: per straight run, in locals).
// The added code is not counted, so referee_nsteps counts exactly the
// reference machine's steps of the base module (docs/step.md). It adds
// the export EntryName wrapping entry. base is not modified.
func Instrument(base *wasm.Module, entry string, plant *Plant) (*Instrumented, error) {
	return instrument(base, entry, plant, false)
}

// instrument is Instrument; with exportPlant it also exports the plant's
// execution counter as ExportPlanted (never in a compared run: the other
// engine's module has no such global).
func instrument(base *wasm.Module, entry string, plant *Plant, exportPlant bool) (*Instrumented, error) {
	m := *base
	m.Types = append([]wasm.FuncType(nil), base.Types...)
	m.Funcs = append([]uint32(nil), base.Funcs...)
	m.Globals = append([]wasm.Global(nil), base.Globals...)
	m.Exports = append([]wasm.Export(nil), base.Exports...)
	m.Codes = make([]wasm.Code, len(base.Codes))
	m.Customs = nil

	nImpFuncs := uint32(base.NumImports(wasm.ExternFunc))
	nImpGlobals := uint32(base.NumImports(wasm.ExternGlobal))
	entryIdx, ok := exportIndex(base, entry, wasm.ExternFunc)
	if !ok {
		return nil, fmt.Errorf("instrument: no exported function %q", entry)
	}
	entryType, ok := base.FuncType(entryIdx)
	if !ok {
		return nil, fmt.Errorf("instrument: function %d: no type", entryIdx)
	}
	for _, e := range base.Exports {
		if e.Name == EntryName || e.Name == ExportSteps || e.Name == ExportStopAt || e.Name == ExportHash || e.Name == ExportHash2 {
			return nil, fmt.Errorf("instrument: export %q is reserved", e.Name)
		}
	}

	// exported copies of unexported globals (their values are observable state)
	exported := make(map[uint32]bool)
	for _, e := range base.Exports {
		if e.Kind == wasm.ExternGlobal {
			exported[e.Index] = true
		}
	}
	extra := 0
	for i := range base.Globals {
		idx := nImpGlobals + uint32(i)
		if !exported[idx] && extra < maxExtraExps {
			m.Exports = append(m.Exports, wasm.Export{Name: globalPrefix + strconv.Itoa(int(idx)), Kind: wasm.ExternGlobal, Index: idx})
			extra++
		}
	}

	next := nImpGlobals + uint32(len(m.Globals))
	newGlobal := func(t wasm.ValType, init uint64, name string) uint32 {
		op := wasm.OpI64Const
		if t == wasm.I32 {
			op = wasm.OpI32Const
		}
		m.Globals = append(m.Globals, wasm.Global{Type: wasm.GlobalType{Type: t, Mutable: true}, Init: wasm.ConstExpr{Op: byte(op), Imm: init}})
		idx := next
		next++
		if name != "" {
			m.Exports = append(m.Exports, wasm.Export{Name: name, Kind: wasm.ExternGlobal, Index: idx})
		}
		return idx
	}
	g := added{
		steps:   newGlobal(wasm.I64, 0, ExportSteps),
		stop:    newGlobal(wasm.I64, ^uint64(0), ExportStopAt),
		stopped: newGlobal(wasm.I32, 0, ExportStopped),
		hash:    newGlobal(wasm.I64, 0, ExportHash),
		hash2:   newGlobal(wasm.I64, 0, ExportHash2),
		val:     newGlobal(wasm.I64, 0, ExportValue),
		pos:     newGlobal(wasm.I32, 0, ExportPos),
		lim:     newGlobal(wasm.I64, 0, ""), // min(stop target, HashFrom), set by the wrapper
	}
	if plant != nil {
		name := ""
		if exportPlant {
			name = ExportPlanted
		}
		g.plantCount = newGlobal(wasm.I64, 0, name)
	}
	if _, ok := exportIndex(base, exportGas, wasm.ExternGlobal); !ok {
		newGlobal(wasm.I64, 0, exportGas)
	}

	// the stop functions come right after the base module's functions
	g.stopVal = nImpFuncs + uint32(len(base.Codes))
	g.stopNoVal, g.tick, g.tickVal, g.fold = g.stopVal+1, g.stopVal+2, g.stopVal+3, g.stopVal+4
	var sites []Site
	env := sigEnv{globals: globalTypes(base), tables: tableTypes(base)}
	typeIndex := func(ft wasm.FuncType) uint32 {
		for i := range m.Types {
			if m.Types[i].Equal(ft) {
				return uint32(i)
			}
		}
		m.Types = append(m.Types, ft)
		return uint32(len(m.Types) - 1)
	}
	for i := range base.Codes {
		fidx := nImpFuncs + uint32(i)
		ft, ok := base.FuncType(fidx)
		if !ok {
			return nil, fmt.Errorf("instrument: function %d: no type", fidx)
		}
		c, s, err := rewriteBody(base, &base.Codes[i], fidx, ft.Params, env, uint32(len(sites)), g, plant, typeIndex)
		if err != nil {
			return nil, err
		}
		m.Codes[i] = c
		sites = append(sites, s...)
	}
	if len(sites) > 1<<31 {
		return nil, errors.New("instrument: too many instructions")
	}

	// the stop functions: stopVal(site i32, val i64, steps i64, h1 i64, h2 i64)
	// and stopNoVal(site i32, steps i64, h1 i64, h2 i64), where steps has
	// counted the step that is not taken
	for _, withVal := range []bool{true, false} {
		ps := []wasm.ValType{wasm.I32, wasm.I64, wasm.I64, wasm.I64}
		var b []byte
		ap := func(in wasm.Instr) { b = wasm.AppendInstr(b, in) }
		get := func(i uint32) { ap(wasm.Instr{Op: wasm.OpLocalGet, Index: i}) }
		gset := func(i uint32) { ap(wasm.Instr{Op: wasm.OpGlobalSet, Index: i}) }
		get(0)
		gset(g.pos)
		k := uint32(1)
		if withVal {
			ps = append(ps, wasm.I64)
			get(1)
			gset(g.val)
			k = 2
		}
		get(k) // the counter after the step not taken
		ap(wasm.Instr{Op: wasm.OpI64Const, Const: 1})
		ap(wasm.Instr{Op: wasm.OpI64Sub})
		gset(g.steps)
		get(k + 1)
		gset(g.hash)
		get(k + 2)
		gset(g.hash2)
		ap(wasm.Instr{Op: wasm.OpI32Const, Const: 1})
		gset(g.stopped)
		ap(wasm.Instr{Op: wasm.OpUnreachable})
		b = append(b, byte(wasm.OpEnd))
		m.Funcs = append(m.Funcs, typeIndex(wasm.FuncType{Params: ps}))
		m.Codes = append(m.Codes, wasm.Code{Body: b})
	}

	// tick(site i32), tickVal(site i32, val i64): if steps >= stop, stop
	// (recording the site, and the last result: tickVal), else steps++;
	// fold(bits i64): h1 += bits; h2 += h1
	for _, withVal := range []bool{false, true} {
		ps := []wasm.ValType{wasm.I32}
		var b []byte
		ap := func(in wasm.Instr) { b = wasm.AppendInstr(b, in) }
		ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g.steps})
		ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g.stop})
		ap(wasm.Instr{Op: wasm.OpI64GeU})
		ap(wasm.Instr{Op: wasm.OpIf, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
		ap(wasm.Instr{Op: wasm.OpLocalGet, Index: 0})
		ap(wasm.Instr{Op: wasm.OpGlobalSet, Index: g.pos})
		if withVal {
			ps = append(ps, wasm.I64)
			ap(wasm.Instr{Op: wasm.OpLocalGet, Index: 1})
			ap(wasm.Instr{Op: wasm.OpGlobalSet, Index: g.val})
		}
		ap(wasm.Instr{Op: wasm.OpI32Const, Const: 1})
		ap(wasm.Instr{Op: wasm.OpGlobalSet, Index: g.stopped})
		ap(wasm.Instr{Op: wasm.OpUnreachable})
		ap(wasm.Instr{Op: wasm.OpEnd})
		ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g.steps})
		ap(wasm.Instr{Op: wasm.OpI64Const, Const: 1})
		ap(wasm.Instr{Op: wasm.OpI64Add})
		ap(wasm.Instr{Op: wasm.OpGlobalSet, Index: g.steps})
		b = append(b, byte(wasm.OpEnd))
		m.Funcs = append(m.Funcs, typeIndex(wasm.FuncType{Params: ps}))
		m.Codes = append(m.Codes, wasm.Code{Body: b})
	}
	{
		var b []byte
		ap := func(in wasm.Instr) { b = wasm.AppendInstr(b, in) }
		ap(wasm.Instr{Op: wasm.OpLocalGet, Index: 0})
		ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g.hash})
		ap(wasm.Instr{Op: wasm.OpI64Add})
		ap(wasm.Instr{Op: wasm.OpGlobalSet, Index: g.hash})
		ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g.hash})
		ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g.hash2})
		ap(wasm.Instr{Op: wasm.OpI64Add})
		ap(wasm.Instr{Op: wasm.OpGlobalSet, Index: g.hash2})
		b = append(b, byte(wasm.OpEnd))
		m.Funcs = append(m.Funcs, typeIndex(wasm.FuncType{Params: []wasm.ValType{wasm.I64}}))
		m.Codes = append(m.Codes, wasm.Code{Body: b})
	}

	// the wrapper: set the stop target and HashFrom, call the entry
	wt := wasm.FuncType{Params: append(append([]wasm.ValType(nil), entryType.Params...), wasm.I64, wasm.I64), Results: entryType.Results}
	m.Types = append(m.Types, wt)
	m.Funcs = append(m.Funcs, uint32(len(m.Types)-1))
	n := uint32(len(entryType.Params))
	body := wasm.AppendInstr(nil, wasm.Instr{Op: wasm.OpLocalGet, Index: n})
	body = wasm.AppendInstr(body, wasm.Instr{Op: wasm.OpGlobalSet, Index: g.stop})
	// lim = min(stop, HashFrom)
	body = wasm.AppendInstr(body, wasm.Instr{Op: wasm.OpLocalGet, Index: n})
	body = wasm.AppendInstr(body, wasm.Instr{Op: wasm.OpLocalGet, Index: n + 1})
	body = wasm.AppendInstr(body, wasm.Instr{Op: wasm.OpLocalGet, Index: n})
	body = wasm.AppendInstr(body, wasm.Instr{Op: wasm.OpLocalGet, Index: n + 1})
	body = wasm.AppendInstr(body, wasm.Instr{Op: wasm.OpI64LtU})
	body = wasm.AppendInstr(body, wasm.Instr{Op: wasm.OpSelect})
	body = wasm.AppendInstr(body, wasm.Instr{Op: wasm.OpGlobalSet, Index: g.lim})
	for i := uint32(0); i < n; i++ {
		body = wasm.AppendInstr(body, wasm.Instr{Op: wasm.OpLocalGet, Index: i})
	}
	body = wasm.AppendInstr(body, wasm.Instr{Op: wasm.OpCall, Index: entryIdx})
	body = append(body, byte(wasm.OpEnd))
	m.Codes = append(m.Codes, wasm.Code{Body: body})
	m.Exports = append(m.Exports, wasm.Export{Name: EntryName, Kind: wasm.ExternFunc, Index: nImpFuncs + uint32(len(m.Codes)-1)})
	if m.HasDataCount {
		m.DataCount = uint32(len(m.Datas))
	}

	code := wasm.Encode(&m)
	out, err := wasm.Decode(code)
	if err != nil {
		return nil, fmt.Errorf("BUG: instrument: re-decode: %w", err)
	}
	return &Instrumented{Module: out, Code: code, Sites: sites, Entry: entry}, nil
}

func exportIndex(m *wasm.Module, name string, k wasm.ExternKind) (uint32, bool) {
	for _, e := range m.Exports {
		if e.Name == name && e.Kind == k {
			return e.Index, true
		}
	}
	return 0, false
}

// observed is the type of the result of in that the instrumentation
// observes: ResultType's, and the numeric results of local.get, local.tee,
// global.get and a typed select (copies, but a compiler's wrong register
// shows there first); ok is false for everything else.
func observed(in wasm.Instr, locals, globals []wasm.ValType) (wasm.ValType, bool) {
	var t wasm.ValType
	switch in.Op {
	case wasm.OpLocalGet, wasm.OpLocalTee:
		if int(in.Index) >= len(locals) {
			return 0, false
		}
		t = locals[in.Index]
	case wasm.OpGlobalGet:
		if int(in.Index) >= len(globals) {
			return 0, false
		}
		t = globals[in.Index]
	case wasm.OpSelectT:
		if len(in.SelectTypes) != 1 {
			return 0, false
		}
		t = in.SelectTypes[0]
	case wasm.OpSIMD:
		_, push, ok := simdSig(in.SIMD)
		if !ok || len(push) != 1 {
			return 0, false
		}
		t = push[0]
	default:
		return ResultType(in.Op)
	}
	switch t {
	case wasm.I32, wasm.I64, wasm.F32, wasm.F64, wasm.V128:
		return t, true
	}
	return 0, false
}

func tableTypes(m *wasm.Module) []wasm.ValType {
	var ts []wasm.ValType
	for _, im := range m.Imports {
		if im.Kind == wasm.ExternTable {
			ts = append(ts, im.Table.Elem)
		}
	}
	for _, t := range m.Tables {
		ts = append(ts, t.Elem)
	}
	return ts
}

func globalTypes(m *wasm.Module) []wasm.ValType {
	var ts []wasm.ValType
	for _, im := range m.Imports {
		if im.Kind == wasm.ExternGlobal {
			ts = append(ts, im.Global.Type)
		}
	}
	for _, g := range m.Globals {
		ts = append(ts, g.Type.Type)
	}
	return ts
}

// ResultType is the type of the one result of op when the opcode alone
// fixes it (loads, memory.size and grow, constants, numeric instructions,
// saturating truncations); ok is false for every other instruction: control,
// calls, locals, globals, select, references, tables and stores.
func ResultType(op wasm.Opcode) (t wasm.ValType, ok bool) {
	switch {
	case op == 0x28 || (op >= 0x2C && op <= 0x2F) || op == 0x3F || op == 0x40 || op == 0x41 ||
		(op >= 0x45 && op <= 0x78) || (op >= 0xA7 && op <= 0xAB) || op == 0xBC || op == 0xC0 || op == 0xC1 ||
		(op >= 0xFC00 && op <= 0xFC03):
		return wasm.I32, true
	case op == 0x29 || (op >= 0x30 && op <= 0x35) || op == 0x42 || (op >= 0x79 && op <= 0x8A) ||
		(op >= 0xAC && op <= 0xB1) || op == 0xBD || (op >= 0xC2 && op <= 0xC4) || (op >= 0xFC04 && op <= 0xFC07):
		return wasm.I64, true
	case op == 0x2A || op == 0x43 || (op >= 0x8B && op <= 0x98) || (op >= 0xB2 && op <= 0xB6) || op == 0xBE:
		return wasm.F32, true
	case op == 0x2B || op == 0x44 || (op >= 0x99 && op <= 0xA6) || (op >= 0xB7 && op <= 0xBB) || op == 0xBF:
		return wasm.F64, true
	}
	return 0, false
}
