package diff

import (
	"context"
	"errors"
	"fmt"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// NewStore returns a store on one fresh reference machine.
func (Reference) NewStore(context.Context) (Store, error) {
	return &refStore{m: trace.NewMachine(trace.Config{})}, nil
}

type refStore struct{ m *trace.Machine }

type refInstance struct {
	m    *trace.Machine
	inst *trace.Instance
}

func (s *refStore) Close() error { return nil }

func (s *refStore) Instantiate(ctx context.Context, bin []byte, as string) (Instance, Status) {
	mod, err := wasm.Decode(bin)
	if err != nil {
		return nil, statusf(StatusRejected, "decode: %v", err)
	}
	if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
		return nil, statusf(StatusRejected, "validate: %v", err)
	}
	inst, err := s.m.Instantiate(mod)
	if err != nil {
		var le *trace.LinkError
		var tr *trace.Trap
		switch {
		case errors.As(err, &le):
			return nil, statusf(StatusLink, "%v", err)
		case errors.As(err, &tr):
			st := trapStatus(tr.Kind.String(), tr.Error())
			st.TrapOp = opAt(mod, tr.Func, tr.Offset)
			return nil, st
		}
		return nil, statusf(StatusCrash, "%v", err)
	}
	if as != "" {
		s.m.Register(as, inst)
	}
	return &refInstance{m: s.m, inst: inst}, OK
}

func (r *refInstance) Invoke(ctx context.Context, export string, args []uint64) ([]uint64, Status) {
	fn, ok := r.inst.Export(export)
	if !ok || fn.Kind != wasm.ExternFunc {
		return nil, statusf(StatusCrash, "no exported function %q", export)
	}
	ft, _ := r.m.FuncType(fn.Addr)
	if len(ft.Params) != len(args) {
		return nil, statusf(StatusCrash, "%q takes %d arguments, got %d", export, len(ft.Params), len(args))
	}
	vals := make([]trace.Value, len(args))
	for i, a := range args {
		if ft.Params[i] == wasm.I32 || ft.Params[i] == wasm.F32 {
			a &= 0xffffffff
		}
		vals[i] = trace.Value{Type: ft.Params[i], Bits: a}
	}
	if err := r.m.Call(fn, vals); err != nil {
		return nil, statusf(StatusCrash, "call: %v", err)
	}
	for r.m.Status() == trace.StatusRunning {
		if _, err := r.m.Run(referenceSlice); err != nil {
			return nil, statusf(StatusCrash, "run: %v", err)
		}
		if ctx.Err() != nil && r.m.Status() == trace.StatusRunning {
			return nil, statusf(StatusTimeout, "%v after %d steps", ctx.Err(), r.m.Steps())
		}
	}
	switch r.m.Status() {
	case trace.StatusDone:
		var res []uint64
		for _, v := range r.m.Results() {
			res = append(res, v.Bits)
		}
		return res, OK
	case trace.StatusTrapped:
		tr := r.m.Trap()
		st := trapStatus(tr.Kind.String(), tr.Error())
		st.TrapOp = r.trapOp(tr)
		return nil, st
	}
	return nil, statusf(StatusCrash, "BUG: machine stopped with status %s", r.m.Status())
}

// trapOp names the trapping opcode when the trap is in this instance's
// module (a trap in a linked module's function is not located).
func (r *refInstance) trapOp(tr *trace.Trap) string {
	return opAt(r.inst.Module(), tr.Func, tr.Offset)
}

func (r *refInstance) Observe(ctx context.Context, q *ObserveQuery) (*ObserveReply, error) {
	rep := &ObserveReply{}
	for _, name := range q.Globals {
		ex, ok := r.inst.Export(name)
		if !ok || ex.Kind != wasm.ExternGlobal {
			return nil, fmt.Errorf("no exported global %q", name)
		}
		rep.Globals = append(rep.Globals, r.m.GlobalValue(ex).Bits)
	}
	if q.Memory != "" {
		mem, err := r.memory(q.Memory)
		if err != nil {
			return nil, err
		}
		rep.Memory = MemDigest{Pages: mem.Size(), Hash: memoryHash(traceMem{mem})}
	}
	for _, name := range q.Tables {
		res, st := r.Invoke(ctx, name, nil)
		if st.Kind != StatusOK || len(res) != 2 {
			return nil, fmt.Errorf("table summary %q: %v", name, st)
		}
		rep.Tables = append(rep.Tables, [2]uint64{res[0] & 0xffffffff, res[1]})
	}
	return rep, nil
}

func (r *refInstance) memory(name string) (*trace.Memory, error) {
	ex, ok := r.inst.Export(name)
	if !ok || ex.Kind != wasm.ExternMemory {
		return nil, fmt.Errorf("no exported memory %q", name)
	}
	return r.m.Memory(ex.Addr), nil
}

func (r *refInstance) ReadMemory(ctx context.Context, name string, off, n uint32) ([]byte, error) {
	mem, err := r.memory(name)
	if err != nil {
		return nil, err
	}
	b, ok := traceMem{mem}.Read(off, n)
	if !ok {
		return nil, fmt.Errorf("memory %q: [%d, %d) out of bounds", name, off, uint64(off)+uint64(n))
	}
	return b, nil
}
