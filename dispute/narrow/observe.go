package narrow

import (
	"crypto/sha256"
	"fmt"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

func sha(b []byte) [32]byte { return sha256.Sum256(b) }

// arity is the number of operands op pops when its result type is fixed
// (ResultType) or it is a store; -1 if unknown.
func arity(op wasm.Opcode) int {
	switch {
	case op >= 0x28 && op <= 0x35, op == 0x40: // loads, memory.grow
		return 1
	case op >= 0x36 && op <= 0x3E: // stores
		return 2
	case op == 0x3F || (op >= 0x41 && op <= 0x44) || op == 0x20 || op == 0x23: // memory.size, consts, local.get, global.get
		return 0
	case op == 0x22: // local.tee
		return 1
	case op == 0x1B || op == 0x1C: // select
		return 3
	case op == 0x45 || op == 0x50 || (op >= 0x67 && op <= 0x69) || (op >= 0x79 && op <= 0x7B) ||
		(op >= 0x8B && op <= 0x91) || (op >= 0x99 && op <= 0x9F) || (op >= 0xA7 && op <= 0xC4) ||
		(op >= 0xFC00 && op <= 0xFC07):
		return 1
	case op >= 0x46 && op <= 0xA6:
		return 2
	}
	return -1
}

// referenceMachine instantiates t.Base on a fresh reference machine (the
// host ABI bound if t has a transaction) and starts the call.
func referenceMachine(t *Target) (*trace.Machine, error) {
	mod := t.Base
	m := trace.NewMachine(trace.Config{})
	if t.Tx.Contract != "" {
		mod = withGlobal(mod, exportGas, t.Tx.GasLimit)
		st := t.State
		if st == nil {
			st = block.NewState(block.PreState{})
		}
		call := block.NewCall(st, t.Tx)
		var mem *trace.Memory
		diff.BindABI(m, call, func() *trace.Memory { return mem })
		inst, err := m.Instantiate(mod)
		if err != nil {
			return nil, fmt.Errorf("reference: instantiate: %w", err)
		}
		if ex, ok := inst.Export("memory"); ok && ex.Kind == wasm.ExternMemory {
			mem = m.Memory(ex.Addr)
		}
		return m, start(m, inst, t)
	}
	m.RegisterSpectest()
	inst, err := m.Instantiate(mod)
	if err != nil {
		return nil, fmt.Errorf("reference: instantiate: %w", err)
	}
	return m, start(m, inst, t)
}

func start(m *trace.Machine, inst *trace.Instance, t *Target) error {
	fn, ok := inst.Export(t.Entry)
	if !ok || fn.Kind != wasm.ExternFunc {
		return fmt.Errorf("reference: no exported function %q", t.Entry)
	}
	ft, _ := m.FuncType(fn.Addr)
	if len(ft.Params) != len(t.Args) {
		return fmt.Errorf("reference: %q takes %d arguments, got %d", t.Entry, len(ft.Params), len(t.Args))
	}
	args := make([]trace.Value, len(t.Args))
	for i, a := range t.Args {
		if ft.Params[i] == wasm.I32 || ft.Params[i] == wasm.F32 {
			a &= 0xffffffff
		}
		args[i] = trace.Value{Type: ft.Params[i], Bits: a}
	}
	return m.Call(fn, args)
}

// withGlobal returns a shallow copy of m whose exported global name starts
// at v.
func withGlobal(m *wasm.Module, name string, v uint64) *wasm.Module {
	out := *m
	out.Globals = append([]wasm.Global(nil), m.Globals...)
	if idx, ok := exportIndex(m, name, wasm.ExternGlobal); ok {
		i := int(idx) - m.NumImports(wasm.ExternGlobal)
		if i >= 0 && i < len(out.Globals) {
			out.Globals[i].Init = wasm.ConstExpr{Op: byte(wasm.OpI64Const), Imm: v}
		}
	}
	return &out
}

// observeReference runs the reference machine to the state before step
// r.Step, checks that it is at r.Site, reads the operands, proves the step
// and executes it for the reference's result.
func observeReference(t *Target, r *Result) error {
	m, err := referenceMachine(t)
	if err != nil {
		return fmt.Errorf("narrow: %w", err)
	}
	c := trace.NewCommitter(m)
	if n := r.Step - 1; n > m.Steps() {
		if _, err := m.Run(n - m.Steps()); err != nil {
			return fmt.Errorf("narrow: reference: run to step %d: %w", n, err)
		}
	}
	if m.Steps() != r.Step-1 || m.Status() != trace.StatusRunning {
		return fmt.Errorf("narrow: reference: stopped at step %d (%s) before step %d", m.Steps(), m.Status(), r.Step)
	}
	pc := m.PC()
	if pc.Func != r.Site.Func || pc.Offset != r.Site.Offset {
		return fmt.Errorf("narrow: step %d: the reference machine is at func[%d] +0x%x, the engines at func[%d] +0x%x",
			r.Step, pc.Func, pc.Offset, r.Site.Func, r.Site.Offset)
	}
	if n := arity(r.Site.Op); n > 0 {
		s := m.Stack()
		if len(s) >= n {
			for _, v := range s[len(s)-n:] {
				r.Operands = append(r.Operands, v.Bits)
			}
		}
	}
	p, err := dispute.Prove(c)
	if err != nil {
		r.ProofNote = err.Error()
	} else if post, err := dispute.Verify(p.Pre, p.Bytes); err != nil {
		r.ProofNote = fmt.Sprintf("the verifier rejects the proof: %v", err)
	} else {
		r.Proof, r.ProofPost = p, post
	}
	info, err := m.Step()
	if err != nil {
		return fmt.Errorf("narrow: reference: step %d: %w", r.Step, err)
	}
	if r.Proof != nil && c.Root() != r.ProofPost {
		return fmt.Errorf("BUG: narrow: step %d: the proof's post-state is not the machine's", r.Step)
	}
	if r.HasResult && info.HasTop {
		v := info.Top.Bits
		if t := r.Site.Result; t == wasm.I32 || t == wasm.F32 {
			v &= 0xffffffff
		}
		r.Reference = v
	}
	return nil
}
