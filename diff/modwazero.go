package diff

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// NewStore returns a store on a fresh wazero runtime (its own namespace of
// module names), closed on context done so that a call past its deadline
// stops.
func (w *Wazero) NewStore(ctx context.Context) (Store, error) {
	cfg := wazero.NewRuntimeConfigInterpreter()
	if w.compiler {
		cfg = wazero.NewRuntimeConfigCompiler()
	}
	rt := wazero.NewRuntimeWithConfig(context.Background(), cfg.WithCloseOnContextDone(true))
	return &wzStore{name: w.Name(), rt: rt}, nil
}

type wzStore struct {
	name string
	rt   wazero.Runtime
}

type wzInstance struct {
	name  string
	mod   api.Module
	funcs map[string]api.Function // lookups only: ExportedFunction allocates a call engine each time
}

func (s *wzStore) Close() error { return s.rt.Close(context.Background()) }

func (s *wzStore) Instantiate(ctx context.Context, bin []byte, as string) (inst Instance, st Status) {
	defer func() {
		if r := recover(); r != nil {
			inst, st = nil, statusf(StatusCrash, "%s panicked: %v", s.name, r)
		}
	}()
	cm, err := s.rt.CompileModule(ctx, bin)
	if err != nil {
		return nil, statusf(StatusRejected, "%s", firstLine(err.Error()))
	}
	mod, err := s.rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(as))
	if err != nil {
		return nil, wazeroInstantiateStatus(ctx, err)
	}
	return &wzInstance{name: s.name, mod: mod, funcs: map[string]api.Function{}}, OK
}

// wazeroInstantiateStatus classes an instantiation error of wazero: a
// trap of the start function ("wasm error: KIND"), a segment out of bounds
// (a trap), or an import that does not resolve (link).
func wazeroInstantiateStatus(ctx context.Context, err error) Status {
	msg := firstLine(err.Error())
	if ctx.Err() != nil {
		return statusf(StatusTimeout, "%s", msg)
	}
	if _, k, ok := strings.Cut(msg, "wasm error: "); ok {
		return trapStatus(k, msg)
	}
	for _, k := range []string{"out of bounds memory access", "out of bounds table access", "invalid table access"} {
		if strings.Contains(msg, k) {
			return trapStatus(k, msg)
		}
	}
	if strings.Contains(msg, "out of bounds") || strings.Contains(msg, "exceeds") {
		return trapStatus("out of bounds table access", msg) // wazero words segment overflow variously
	}
	return statusf(StatusLink, "%s", msg)
}

func (i *wzInstance) Invoke(ctx context.Context, export string, args []uint64) (res []uint64, st Status) {
	defer func() {
		if r := recover(); r != nil {
			res, st = nil, statusf(StatusCrash, "%s panicked: %v", i.name, r)
		}
	}()
	fn := i.funcs[export]
	if fn == nil {
		if fn = i.mod.ExportedFunction(export); fn == nil {
			return nil, statusf(StatusCrash, "no exported function %q", export)
		}
		i.funcs[export] = fn
	}
	pts := fn.Definition().ParamTypes()
	if len(pts) != len(args) {
		return nil, statusf(StatusCrash, "%q takes %d arguments, got %d", export, len(pts), len(args))
	}
	out, err := fn.Call(ctx, args...)
	if err != nil {
		msg := firstLine(err.Error())
		var exit *sys.ExitError
		if ctx.Err() != nil || errors.As(err, &exit) {
			return nil, statusf(StatusTimeout, "%s", msg)
		}
		k, ok := strings.CutPrefix(msg, "wasm error: ")
		if !ok && strings.Contains(msg, "stack overflow") { // wazero's native stack guard, without the prefix
			k, ok = TrapCallStack, true
		}
		if !ok {
			return nil, statusf(StatusCrash, "%s", msg)
		}
		return nil, trapStatus(k, msg)
	}
	rts := fn.Definition().ResultTypes()
	for j := range out {
		if rts[j] == api.ValueTypeI32 || rts[j] == api.ValueTypeF32 {
			out[j] &= 0xffffffff
		}
	}
	return out, OK
}

func (i *wzInstance) Observe(ctx context.Context, q *ObserveQuery) (*ObserveReply, error) {
	rep := &ObserveReply{}
	for _, name := range q.Globals {
		g := i.mod.ExportedGlobal(name)
		if g == nil {
			return nil, fmt.Errorf("no exported global %q", name)
		}
		b := g.Get()
		if t := g.Type(); t == api.ValueTypeI32 || t == api.ValueTypeF32 {
			b &= 0xffffffff
		}
		rep.Globals = append(rep.Globals, b)
	}
	if q.Memory != "" {
		m := i.mod.ExportedMemory(q.Memory)
		if m == nil {
			return nil, fmt.Errorf("no exported memory %q", q.Memory)
		}
		b, _ := m.Read(0, m.Size())
		rep.Memory = DigestMemory(b)
	}
	for _, name := range q.Tables {
		res, st := i.Invoke(ctx, name, nil)
		if st.Kind != StatusOK || len(res) != 2 {
			return nil, fmt.Errorf("table summary %q: %v", name, st)
		}
		rep.Tables = append(rep.Tables, [2]uint64{res[0], res[1]})
	}
	return rep, nil
}

func (i *wzInstance) ReadMemory(ctx context.Context, name string, off, n uint32) ([]byte, error) {
	m := i.mod.ExportedMemory(name)
	if m == nil {
		return nil, fmt.Errorf("no exported memory %q", name)
	}
	b, ok := m.Read(off, n)
	if !ok {
		return nil, fmt.Errorf("memory %q: [%d, %d) out of bounds", name, off, uint64(off)+uint64(n))
	}
	return append([]byte(nil), b...), nil
}
