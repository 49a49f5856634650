package remote

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/meter"
	"github.com/refereevm/referee/wasm"
)

// maxCompiled bounds the modules one child keeps compiled; past it the
// oldest is released.
const maxCompiled = 64

// maxIdle bounds the idle children an engine keeps.
const maxIdle = 8

// Engine is an engine outside this process: a command that speaks the
// engine protocol, started as children (one per concurrent run, idle ones
// kept), used as a block engine (diff.Engine) and as a module engine
// (diff.ModuleEngine). A child that dies or passes a deadline is killed
// and replaced by the next run.
type Engine struct {
	name string
	argv []string
	env  []string

	mu   sync.Mutex
	idle []*child
}

// NewEngine returns the engine named name run as argv (with env added).
func NewEngine(name string, argv, env []string) *Engine {
	return &Engine{name: name, argv: argv, env: env}
}

// Name returns the engine's name.
func (e *Engine) Name() string { return e.name }

// Argv returns the command the engine's children run.
func (e *Engine) Argv() []string { return e.argv }

func (e *Engine) acquire(ctx context.Context) (*child, error) {
	e.mu.Lock()
	if n := len(e.idle); n > 0 {
		c := e.idle[n-1]
		e.idle = e.idle[:n-1]
		e.mu.Unlock()
		return c, nil
	}
	e.mu.Unlock()
	return startChild(ctx, e.argv, e.env)
}

func (e *Engine) release(c *child) {
	if c.dead != nil {
		c.kill()
		return
	}
	e.mu.Lock()
	if len(e.idle) < maxIdle {
		e.idle = append(e.idle, c)
		c = nil
	}
	e.mu.Unlock()
	if c != nil {
		c.close()
	}
}

// Close ends the idle children.
func (e *Engine) Close() error {
	e.mu.Lock()
	idle := e.idle
	e.idle = nil
	e.mu.Unlock()
	for _, c := range idle {
		c.close()
	}
	return nil
}

// Hello starts a child and returns what it says of itself (its engine name
// and version).
func (e *Engine) Hello(ctx context.Context) (engine, version string, err error) {
	c, err := e.acquire(ctx)
	if err != nil {
		return "", "", err
	}
	defer e.release(c)
	return c.hello.Engine, c.hello.Version, nil
}

// compile makes sure the child holds bin compiled and returns its hash;
// a module the engine refuses gives a rejected status.
func (c *child) compile(ctx context.Context, bin []byte, hash [32]byte) (string, diff.Status, error) {
	h := hex.EncodeToString(hash[:])
	if c.compiled[h] {
		return h, diff.OK, nil
	}
	rep, err := c.call(ctx, &message{Op: "compile", Binary: bin, Hash: h}, nil)
	if err != nil {
		return "", diff.Status{}, err
	}
	st := status(rep.Status)
	if st.Kind != diff.StatusOK {
		return "", st, nil
	}
	c.compiled[h] = true
	c.order = append(c.order, h)
	for len(c.order) > maxCompiled {
		old := c.order[0]
		c.order = c.order[1:]
		delete(c.compiled, old)
		if _, err := c.call(ctx, &message{Op: "release", Hash: old}, nil); err != nil {
			return "", diff.Status{}, err
		}
	}
	return h, diff.OK, nil
}

func status(w *wireStatus) diff.Status {
	if w == nil {
		return diff.Status{Kind: diff.StatusCrash, Detail: "no status in the reply"}
	}
	st := diff.Status{Kind: w.Status, Detail: w.Detail}
	if st.Kind == diff.StatusTrap {
		// an ambiguous trap lists its candidates: each is normalised
		kinds := strings.Split(w.Trap, "|")
		for i, k := range kinds {
			kinds[i] = diff.NormalizeTrap(k)
		}
		st.Trap = strings.Join(kinds, "|")
	}
	switch st.Kind {
	case diff.StatusOK, diff.StatusTrap, diff.StatusRejected, diff.StatusLink, diff.StatusCrash, diff.StatusTimeout:
	default:
		return diff.Status{Kind: diff.StatusCrash, Detail: fmt.Sprintf("unknown status %q: %s", w.Status, w.Detail)}
	}
	return st
}

// errStatus turns a protocol error into a status: timeout past the
// deadline, else crash.
func errStatus(ctx context.Context, err error) diff.Status {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return diff.Status{Kind: diff.StatusTimeout, Detail: err.Error()}
	}
	return diff.Status{Kind: diff.StatusCrash, Detail: err.Error()}
}

func typeNames(ts []wasm.ValType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}

// hostImports lists m's function imports from module, with their types.
func hostImports(m *wasm.Module, module string) []hostImport {
	var out []hostImport
	for _, im := range m.Imports {
		if im.Kind != wasm.ExternFunc || im.Module != module || int(im.Func) >= len(m.Types) {
			continue
		}
		ft := m.Types[im.Func]
		out = append(out, hostImport{Module: im.Module, Name: im.Name, Params: typeNames(ft.Params), Results: typeNames(ft.Results)})
	}
	return out
}

func exportsMemory(m *wasm.Module) bool {
	for _, e := range m.Exports {
		if e.Name == "memory" && e.Kind == wasm.ExternMemory {
			return true
		}
	}
	return false
}

// Run runs one transaction (or workload call) of a prepared contract: the
// host ABI referee-v1 stays in this process, and the child calls back for
// every host function (docs/engine-protocol.md, "The block host ABI").
func (e *Engine) Run(ctx context.Context, req *diff.Request) (diff.Outcome, error) {
	fail := func(st diff.Status) (diff.Outcome, error) {
		class := diff.ClassEngineCrash
		switch st.Kind {
		case diff.StatusTimeout:
			class = diff.ClassEngineTimeout
		case diff.StatusRejected, diff.StatusLink, diff.StatusTrap:
			class = diff.ClassRejected
		}
		return diff.Outcome{}, &diff.Failure{Class: class, Detail: fmt.Sprintf("%s: %s", e.name, st)}
	}
	c, err := e.acquire(ctx)
	if err != nil {
		return fail(errStatus(ctx, err))
	}
	defer e.release(c)
	p := req.Prog
	h, st, err := c.compile(ctx, p.Code, p.Hash)
	if err != nil {
		return fail(errStatus(ctx, err))
	}
	if st.Kind != diff.StatusOK {
		return fail(st)
	}
	call := block.NewCall(req.State, req.Tx)
	hasMem := exportsMemory(p.Module)
	types := exportTypes{p.Module}
	in := &message{Op: "instantiate", Hash: h, Host: hostImports(p.Module, block.ImportModule)}
	if types.globalType(meter.ExportGas) != "" {
		in.Set = []globalSet{{Name: meter.ExportGas, Type: "i64", Value: bits(req.Tx.GasLimit)}}
	}
	if hasMem {
		in.Snapshot = "memory"
	}
	host := func(module, name string, args []uint64, mem *HostMemory) ([]uint64, error) {
		var bm block.Memory
		if hasMem {
			bm = mem
		}
		return call.Invoke(name, bm, args)
	}
	rep, err := c.call(ctx, in, host)
	if err != nil {
		return fail(errStatus(ctx, err))
	}
	if st := status(rep.Status); st.Kind != diff.StatusOK {
		return fail(st)
	}
	inst := rep.Instance
	dropped := false
	defer func() {
		if !dropped {
			c.call(context.Background(), &message{Op: "drop", Instance: inst}, nil)
		}
	}()
	pt, rt := types.funcType(req.Tx.Entry)
	rep, err = c.call(ctx, &message{Op: "invoke", Instance: inst, Export: strp(req.Tx.Entry), Args: bitsList(req.Args), ParamTypes: pt, ResultTypes: rt}, host)
	if err != nil {
		return fail(errStatus(ctx, err))
	}
	st = status(rep.Status)
	var results []uint64
	switch st.Kind {
	case diff.StatusOK:
		if results, err = parseBitsList(rep.Results); err != nil {
			return fail(diff.Status{Kind: diff.StatusCrash, Detail: err.Error()})
		}
	case diff.StatusTrap:
	default:
		return fail(st)
	}
	names := p.Globals // every exported global, referee_gas and referee_exit among them when the module has them
	q := &message{Op: "observe", Instance: inst, Globals: names, GlobalTypes: types.globalTypes(names), Drop: true}
	if hasMem {
		q.Memory, q.Dirty = "memory", true
	}
	obs, err := c.call(ctx, q, nil)
	if err != nil {
		return fail(errStatus(ctx, err))
	}
	dropped = true
	view := &diff.RunView{Globals: map[string]uint64{}}
	gs, err := parseBitsList(obs.Globals)
	if err != nil || len(gs) != len(names) {
		return fail(diff.Status{Kind: diff.StatusCrash, Detail: fmt.Sprintf("observe: %d globals for %d names (%v)", len(gs), len(names), err)})
	}
	for i, n := range names {
		view.Globals[n] = gs[i]
	}
	if hasMem {
		if obs.Mem == nil || obs.DirtyPgs == nil {
			return fail(diff.Status{Kind: diff.StatusCrash, Detail: "observe: no memory digest"})
		}
		view.MemoryPages, view.DirtyPages = obs.Mem.Pages, *obs.DirtyPgs
		if view.MemoryHash, err = parseHash(obs.Mem.Hash); err != nil {
			return fail(diff.Status{Kind: diff.StatusCrash, Detail: err.Error()})
		}
	} else {
		view.MemoryHash = diff.DigestMemory(nil).Hash
	}
	o := diff.FinishRun(req, call, st.Kind == diff.StatusTrap, st.Trap, results, view)
	o.Detail = st.Detail
	return o, nil
}

func parseHash(s string) ([32]byte, error) {
	var h [32]byte
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || len(b) != 32 {
		return h, fmt.Errorf("memory hash %q: want 32 bytes of hex", s)
	}
	copy(h[:], b)
	return h, nil
}
