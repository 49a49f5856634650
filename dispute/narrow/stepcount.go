package narrow

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/refereevm/referee/wasm"
)

// Names of what the step-counting instrumentation adds to a module.
const (
	EntryName     = "referee_narrow_entry" // the wrapper: the entry's params, then the stop target (i64)
	ExportSteps   = "referee_nsteps"       // i64: steps of the base module executed so far
	ExportStopAt  = "referee_stop_at"      // i64: stop before the step after this many
	ExportStopped = "referee_stopped"      // i32: 1 if the run ended at the stop target
	ExportHash    = "referee_rhash"        // i64: running hash of every observed result
	ExportValue   = "referee_val"          // i64: at a stop, the last step's result (zero-extended bits), if it has one
	ExportPos     = "referee_pos"          // i32: at a stop, the site index of the next instruction
	ExportPlanted = "referee_planted"      // i64: executions of the planted op so far (only in plantNote's run)
	exportGas     = "referee_gas"          // the diff adapters set it; added if the base module lacks it
	globalPrefix  = "referee_g"            // + index: a base module's unexported global, made visible
	maxExtraExps  = 8                      // unexported globals exported at most (the hash covers the rest)
)

const hashPrime = 0x100000001b3 // FNV-1a's 64-bit prime

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
	steps, stop, stopped, hash, val, pos, plantCount uint32
}

// Instrument rewrites base: before every instruction of every defined
// function it stops (recording the instruction's site in referee_pos and
// the last result in referee_val, then referee_stopped = 1 and unreachable)
// if referee_nsteps has reached referee_stop_at, and otherwise counts the
// step; after every instruction whose result type its opcode fixes it folds
// the result into referee_rhash.
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
		if e.Name == EntryName || e.Name == ExportSteps || e.Name == ExportStopAt || e.Name == ExportHash {
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
		hash:    newGlobal(wasm.I64, 0xcbf29ce484222325, ExportHash),
		val:     newGlobal(wasm.I64, 0, ExportValue),
		pos:     newGlobal(wasm.I32, 0, ExportPos),
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

	var sites []Site
	for i := range base.Codes {
		fidx := nImpFuncs + uint32(i)
		ft, ok := base.FuncType(fidx)
		if !ok {
			return nil, fmt.Errorf("instrument: function %d: no type", fidx)
		}
		c, s, err := rewriteBody(base, &base.Codes[i], fidx, ft.Params, globalTypes(base), uint32(len(sites)), g, plant)
		if err != nil {
			return nil, err
		}
		m.Codes[i] = c
		sites = append(sites, s...)
	}
	if len(sites) > 1<<31 {
		return nil, errors.New("instrument: too many instructions")
	}

	// the wrapper: set the stop target, call the entry
	wt := wasm.FuncType{Params: append(append([]wasm.ValType(nil), entryType.Params...), wasm.I64), Results: entryType.Results}
	m.Types = append(m.Types, wt)
	m.Funcs = append(m.Funcs, uint32(len(m.Types)-1))
	n := uint32(len(entryType.Params))
	body := wasm.AppendInstr(nil, wasm.Instr{Op: wasm.OpLocalGet, Index: n})
	body = wasm.AppendInstr(body, wasm.Instr{Op: wasm.OpGlobalSet, Index: g.stop})
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

// scratch locals added to every function, one per value type
type scratch struct{ i32, i64, f32, f64 uint32 }

func (s scratch) of(t wasm.ValType) uint32 {
	switch t {
	case wasm.I32:
		return s.i32
	case wasm.I64:
		return s.i64
	case wasm.F32:
		return s.f32
	}
	return s.f64
}

// rewriteBody instruments one function body. first is the site index of
// its first instruction.
func rewriteBody(m *wasm.Module, c *wasm.Code, fidx uint32, params, globals []wasm.ValType, first uint32, g added, plant *Plant) (wasm.Code, []Site, error) {
	locals := append([]wasm.ValType(nil), params...)
	for _, d := range c.Locals {
		for j := uint32(0); j < d.Count; j++ {
			locals = append(locals, d.Type)
		}
	}
	base := uint32(len(locals))
	sc := scratch{base, base + 1, base + 2, base + 3}
	out := wasm.Code{
		Locals:    append(append([]wasm.LocalDecl(nil), c.Locals...), wasm.LocalDecl{Count: 1, Type: wasm.I32}, wasm.LocalDecl{Count: 1, Type: wasm.I64}, wasm.LocalDecl{Count: 1, Type: wasm.F32}, wasm.LocalDecl{Count: 1, Type: wasm.F64}),
		NumLocals: c.NumLocals + 4,
	}
	body := make([]byte, 0, len(c.Body)*12)
	var sites []Site
	ap := func(in wasm.Instr) { body = wasm.AppendInstr(body, in) }
	// toI64 converts the value of type t on the stack to its zero-extended bits
	toI64 := func(t wasm.ValType) {
		switch t {
		case wasm.I32:
			ap(wasm.Instr{Op: wasm.OpI64ExtendI32U})
		case wasm.F32:
			ap(wasm.Instr{Op: wasm.OpI32ReinterpretF32})
			ap(wasm.Instr{Op: wasm.OpI64ExtendI32U})
		case wasm.F64:
			ap(wasm.Instr{Op: wasm.OpI64ReinterpretF64})
		}
	}
	prevType, prevHas := wasm.ValType(0), false
	for pc := uint32(0); pc < uint32(len(c.Body)); {
		in, nextPC, err := wasm.ReadInstr(c.Body, pc)
		if err != nil {
			return out, nil, fmt.Errorf("instrument: function %d at +0x%x: %w", fidx, pc, err)
		}
		site := first + uint32(len(sites))
		t, ok := observed(in, locals, globals)
		rt := wasm.ValType(0)
		if ok {
			rt = t
		}
		sites = append(sites, Site{Func: fidx, Offset: c.BodyOffset + pc - m.CodeSectionOffset, Op: in.Op, Result: rt})
		// prologue: stop at the target, else count the step. The stop
		// branch (cold) records the site about to execute and the result
		// of the textually previous instruction: when that one has a
		// result it was the step just executed, since it cannot branch.
		ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g.steps})
		ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g.stop})
		ap(wasm.Instr{Op: wasm.OpI64GeU})
		ap(wasm.Instr{Op: wasm.OpIf, Block: wasm.BlockType{Kind: wasm.BlockEmpty}})
		ap(wasm.Instr{Op: wasm.OpI32Const, Const: uint64(int64(int32(site)))})
		ap(wasm.Instr{Op: wasm.OpGlobalSet, Index: g.pos})
		if prevHas {
			ap(wasm.Instr{Op: wasm.OpLocalGet, Index: sc.of(prevType)})
			toI64(prevType)
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
		// the instruction itself, byte for byte
		body = append(body, c.Body[pc:nextPC]...)
		pc = nextPC
		prevType, prevHas = t, ok
		if !ok {
			continue
		}
		tmp := sc.of(t)
		if plant != nil && in.Op == plant.Op && (t == wasm.I32 || t == wasm.I64) {
			// result ^= (++count == Nth)
			ap(wasm.Instr{Op: wasm.OpLocalSet, Index: tmp})
			ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g.plantCount})
			ap(wasm.Instr{Op: wasm.OpI64Const, Const: 1})
			ap(wasm.Instr{Op: wasm.OpI64Add})
			ap(wasm.Instr{Op: wasm.OpGlobalSet, Index: g.plantCount})
			ap(wasm.Instr{Op: wasm.OpLocalGet, Index: tmp})
			ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g.plantCount})
			ap(wasm.Instr{Op: wasm.OpI64Const, Const: plant.Nth})
			ap(wasm.Instr{Op: wasm.OpI64Eq})
			if t == wasm.I64 {
				ap(wasm.Instr{Op: wasm.OpI64ExtendI32U})
				ap(wasm.Instr{Op: wasm.OpI64Xor})
			} else {
				ap(wasm.Instr{Op: wasm.OpI32Xor})
			}
		}
		// observe: keep the result in its scratch local (read by the next
		// stop branch); referee_rhash = (hash ^ bits) * prime
		ap(wasm.Instr{Op: wasm.OpLocalTee, Index: tmp})
		ap(wasm.Instr{Op: wasm.OpLocalGet, Index: tmp})
		toI64(t)
		ap(wasm.Instr{Op: wasm.OpGlobalGet, Index: g.hash})
		ap(wasm.Instr{Op: wasm.OpI64Xor})
		ap(wasm.Instr{Op: wasm.OpI64Const, Const: hashPrime})
		ap(wasm.Instr{Op: wasm.OpI64Mul})
		ap(wasm.Instr{Op: wasm.OpGlobalSet, Index: g.hash})
	}
	out.Body = body
	return out, sites, nil
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
	default:
		return ResultType(in.Op)
	}
	switch t {
	case wasm.I32, wasm.I64, wasm.F32, wasm.F64:
		return t, true
	}
	return 0, false
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
