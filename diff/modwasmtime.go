//go:build cgo

package diff

import (
	"context"
	"errors"
	"fmt"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// NewStore returns a store of its own (a wasmtime store and linker on the
// engine's wasmtime engine); with an interruptible engine, calls stop at
// their context's deadline.
func (w *Wasmtime) NewStore(ctx context.Context) (Store, error) {
	if err := w.init(); err != nil {
		return nil, err
	}
	st := wasmtime.NewStore(w.engine)
	return &wtStore{w: w, store: st, linker: wasmtime.NewLinker(w.engine)}, nil
}

type wtStore struct {
	w      *Wasmtime
	store  *wasmtime.Store
	linker *wasmtime.Linker
}

type wtInstance struct {
	s    *wtStore
	inst *wasmtime.Instance
}

func (s *wtStore) Close() error { s.store.Close(); return nil }

func (s *wtStore) deadline(ctx context.Context) { s.w.setDeadline(ctx, s.store) }

func (s *wtStore) Instantiate(ctx context.Context, bin []byte, as string) (Instance, Status) {
	mod, err := wasmtime.NewModule(s.w.engine, bin)
	if err != nil {
		return nil, statusf(StatusRejected, "%s", firstLine(err.Error()))
	}
	defer mod.Close()
	s.deadline(ctx)
	inst, err := s.linker.Instantiate(s.store, mod)
	if err != nil {
		var trap *wasmtime.Trap
		if errors.As(err, &trap) {
			return nil, wtTrapStatus(trap)
		}
		return nil, statusf(StatusLink, "%s", firstLine(err.Error()))
	}
	if as != "" {
		if err := s.linker.DefineInstance(s.store, as, inst); err != nil {
			return nil, statusf(StatusCrash, "register %q: %v", as, err)
		}
	}
	return &wtInstance{s: s, inst: inst}, OK
}

// wtTrapStatus is the status of a wasmtime trap.
func wtTrapStatus(trap *wasmtime.Trap) Status {
	code := trap.Code()
	if code == nil {
		return statusf(StatusCrash, "trap without a code: %s", firstLine(trap.Message()))
	}
	if *code == wasmtime.Interrupt {
		return statusf(StatusTimeout, "interrupted at the deadline")
	}
	kind := wtTrapKind(*code)
	if kind == "" {
		return statusf(StatusCrash, "unexpected trap code %d: %s", *code, firstLine(trap.Message()))
	}
	return trapStatus(kind, firstLine(trap.Message()))
}

func (i *wtInstance) Invoke(ctx context.Context, export string, args []uint64) ([]uint64, Status) {
	st := i.s.store
	fn := i.inst.GetFunc(st, export)
	if fn == nil {
		return nil, statusf(StatusCrash, "no exported function %q", export)
	}
	ty := fn.Type(st)
	params := ty.Params()
	if len(params) != len(args) {
		return nil, statusf(StatusCrash, "%q takes %d arguments, got %d", export, len(params), len(args))
	}
	vals := make([]any, len(args))
	for j, a := range args {
		v, ok := wtArg(params[j].Kind(), a)
		if !ok {
			return nil, statusf(StatusCrash, "argument %d of kind %v: unsupported (%#x)", j, params[j].Kind(), a)
		}
		vals[j] = v
	}
	i.s.deadline(ctx)
	res, err := fn.Call(st, vals...)
	if err != nil {
		var trap *wasmtime.Trap
		if errors.As(err, &trap) {
			return nil, wtTrapStatus(trap)
		}
		return nil, statusf(StatusCrash, "%s", firstLine(err.Error()))
	}
	out, err := callResults(ty.Results(), res)
	if err != nil {
		return nil, statusf(StatusCrash, "%v", err)
	}
	return out, OK
}

func (i *wtInstance) Observe(ctx context.Context, q *ObserveQuery) (*ObserveReply, error) {
	st := i.s.store
	rep := &ObserveReply{}
	for _, name := range q.Globals {
		ex := i.inst.GetExport(st, name)
		if ex == nil || ex.Global() == nil {
			return nil, fmt.Errorf("no exported global %q", name)
		}
		b, ok := valBits(ex.Global().Get(st))
		if !ok {
			b = 1 // a reference that is not ours: non-null
		}
		rep.Globals = append(rep.Globals, b)
	}
	if q.Memory != "" {
		ex := i.inst.GetExport(st, q.Memory)
		if ex == nil || ex.Memory() == nil {
			return nil, fmt.Errorf("no exported memory %q", q.Memory)
		}
		rep.Memory = DigestMemory(ex.Memory().UnsafeData(st))
	}
	for _, name := range q.Tables {
		res, s := i.Invoke(ctx, name, nil)
		if s.Kind != StatusOK || len(res) != 2 {
			return nil, fmt.Errorf("table summary %q: %v", name, s)
		}
		rep.Tables = append(rep.Tables, [2]uint64{res[0], res[1]})
	}
	return rep, nil
}

func (i *wtInstance) ReadMemory(ctx context.Context, name string, off, n uint32) ([]byte, error) {
	ex := i.inst.GetExport(i.s.store, name)
	if ex == nil || ex.Memory() == nil {
		return nil, fmt.Errorf("no exported memory %q", name)
	}
	d := ex.Memory().UnsafeData(i.s.store)
	if uint64(off)+uint64(n) > uint64(len(d)) {
		return nil, fmt.Errorf("memory %q: [%d, %d) out of bounds", name, off, uint64(off)+uint64(n))
	}
	return append([]byte(nil), d[off:off+n]...), nil
}
