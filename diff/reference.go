package diff

import (
	"context"
	"errors"
	"fmt"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/meter"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// referenceSlice is the number of steps the reference machine runs between
// two looks at the context: the wall-clock budget is checked only there.
const referenceSlice = 1 << 20

// Reference is the engine "reference": referee's own machine (trace).
type Reference struct{}

// Name returns "reference".
func (Reference) Name() string { return "reference" }

// traceMem adapts a trace.Memory to block.Memory.
type traceMem struct{ m *trace.Memory }

func (t traceMem) Read(off, n uint32) ([]byte, bool) {
	// Bounds first, so that an out-of-bounds length never allocates.
	if uint64(off)+uint64(n) > uint64(t.m.Size())*65536 {
		return nil, false
	}
	b := make([]byte, n)
	return b, t.m.Read(uint64(off), b)
}

func (t traceMem) Write(off uint32, data []byte) bool { return t.m.Write(uint64(off), data) }

func (t traceMem) numPages() int { return int(t.m.Size()) * (65536 / DirtyPageSize) }

// page returns the machine's own 4 KiB page (nil = zero), no copy.
func (t traceMem) page(i int) []byte {
	if i >= t.m.NumPages() {
		return nil
	}
	if p := t.m.Page(i); p != nil {
		return p[:]
	}
	return nil
}

type refView struct {
	m    *trace.Machine
	inst *trace.Instance
	mem  *traceMem
}

func (v refView) global(name string) (uint64, bool) {
	ex, ok := v.inst.Export(name)
	if !ok || ex.Kind != wasm.ExternGlobal {
		return 0, false
	}
	return v.m.GlobalValue(ex).Bits, true
}

func (v refView) memory() pagedMemory {
	if v.mem == nil {
		return sliceMem(nil)
	}
	return *v.mem
}

// Run instantiates the module on a fresh machine with referee_gas starting
// at the gas limit (the instance is fresh and contracts have no start
// function, so setting the global's initial value is setting it before the
// call), binds the ABI and invokes the entry.
func (Reference) Run(ctx context.Context, req *Request) (Outcome, error) {
	mod := WithGas(req.Prog.Module, req.Tx.GasLimit)
	m := trace.NewMachine(trace.Config{})
	call := block.NewCall(req.State, req.Tx)
	var mem *traceMem
	var tmem *trace.Memory
	BindABI(m, call, func() *trace.Memory { return tmem })
	inst, err := m.Instantiate(mod)
	if err != nil {
		var tr *trace.Trap
		if errors.As(err, &tr) {
			return instantiationTrap(req, call, NormalizeTrap(tr.Kind.String()), "reference: instantiate: "+err.Error()), nil
		}
		return Outcome{}, failf(ClassRejected, "reference: instantiate: %v", err)
	}
	if ex, ok := inst.Export("memory"); ok && ex.Kind == wasm.ExternMemory {
		tmem = m.Memory(ex.Addr)
		mem = &traceMem{tmem}
	}
	view := refView{m: m, inst: inst, mem: mem}
	initMem := initialMemory(req.Prog, view.memory())
	fn, ok := inst.Export(req.Tx.Entry)
	if !ok || fn.Kind != wasm.ExternFunc {
		return Outcome{}, failf(ClassRejected, "reference: no exported function %q", req.Tx.Entry)
	}
	ft, _ := m.FuncType(fn.Addr)
	if len(ft.Params) != len(req.Args) {
		return Outcome{}, failf(ClassRejected, "reference: %q takes %d arguments, got %d", req.Tx.Entry, len(ft.Params), len(req.Args))
	}
	args := make([]trace.Value, len(req.Args))
	for i, a := range req.Args {
		if ft.Params[i] == wasm.I32 || ft.Params[i] == wasm.F32 {
			a &= 0xffffffff
		}
		args[i] = trace.Value{Type: ft.Params[i], Bits: a}
	}
	if err := m.Call(fn, args); err != nil {
		return Outcome{}, fmt.Errorf("reference: call: %w", err)
	}
	for {
		st, err := m.Run(referenceSlice)
		if err != nil {
			return Outcome{}, fmt.Errorf("reference: run: %w", err)
		}
		if st != trace.StatusRunning {
			break
		}
		if ctx.Err() != nil {
			return Outcome{}, failf(ClassEngineTimeout, "reference: %v after %d steps", ctx.Err(), m.Steps())
		}
	}
	switch m.Status() {
	case trace.StatusDone:
		var res []uint64
		for _, v := range m.Results() {
			res = append(res, v.Bits)
		}
		return finish(req, call, false, "", res, view, initMem), nil
	case trace.StatusTrapped:
		tr := m.Trap()
		if herr := m.HostError(); herr != nil {
			var ht *block.HostTrap
			if !errors.As(herr, &ht) {
				return Outcome{}, failf(ClassEngineCrash, "reference: host: %v", herr)
			}
		}
		o := finish(req, call, true, NormalizeTrap(tr.Kind.String()), nil, view, initMem)
		o.Detail = tr.Error()
		o.TrapOp = opAt(req.Prog.Module, tr.Func, tr.Offset)
		return o, nil
	}
	return Outcome{}, fmt.Errorf("BUG: reference: machine stopped with status %d", m.Status())
}

// WithGas returns a shallow copy of m whose referee_gas global starts at
// gas.
func WithGas(m *wasm.Module, gas uint64) *wasm.Module {
	out := *m
	out.Globals = append([]wasm.Global(nil), m.Globals...)
	for _, e := range m.Exports {
		if e.Name == meter.ExportGas && e.Kind == wasm.ExternGlobal {
			i := int(e.Index) - m.NumImports(wasm.ExternGlobal)
			if i >= 0 && i < len(out.Globals) {
				out.Globals[i].Init = wasm.ConstExpr{Op: byte(wasm.OpI64Const), Imm: gas}
			}
		}
	}
	return &out
}

// opAt names the opcode at a trap site (function index in the module's
// index space, offset in the code section), or "" if unknown.
func opAt(m *wasm.Module, fn, off uint32) string {
	i := int(fn) - m.NumImports(wasm.ExternFunc)
	if i < 0 || i >= len(m.Codes) {
		return ""
	}
	c := &m.Codes[i]
	pc := int64(off) + int64(m.CodeSectionOffset) - int64(c.BodyOffset)
	if pc < 0 || pc >= int64(len(c.Body)) {
		return ""
	}
	in, _, err := wasm.ReadInstr(c.Body, uint32(pc))
	if err != nil {
		return ""
	}
	return in.Op.String()
}

// BindABI registers the host ABI referee-v1 on the reference machine m as
// module "referee", each function forwarding to call. A function sees the
// memory that memory returns when it runs (nil before instantiation, or for a
// contract without one), so callers bind before instantiating and set the
// memory after. Every use of the reference machine with the ABI goes through
// here, so the binding cannot drift between the engine and the tools.
func BindABI(m *trace.Machine, call *block.Call, memory func() *trace.Memory) {
	var names []string
	var externs []trace.Extern
	for _, f := range block.HostFuncs() {
		ex := m.AddHostFunc(f.Type, func(_ *trace.Machine, args []trace.Value) ([]trace.Value, error) {
			raw := make([]uint64, len(args))
			for i, a := range args {
				raw[i] = a.Bits
			}
			var bm block.Memory
			if mem := memory(); mem != nil {
				bm = traceMem{mem}
			}
			res, err := call.Invoke(f.Name, bm, raw)
			if err != nil {
				return nil, err
			}
			out := make([]trace.Value, len(res))
			for i, r := range res {
				out[i] = trace.Value{Type: f.Type.Results[i], Bits: r}
			}
			return out, nil
		})
		names, externs = append(names, f.Name), append(externs, ex)
	}
	m.Register(block.ImportModule, m.HostModule(names, externs))
}
