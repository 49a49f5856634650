package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// runner calls one workload's export on one instantiated module. The
// workloads rebuild all their state on each call, so one instance serves
// every call.
type runner interface {
	call(args []uint64) (uint64, error)
	close()
}

// childCPU is a runner whose engine runs in a process of its own: its CPU
// time so far, in nanoseconds, and whether it is known.
type childCPU interface {
	cpuNanos() (int64, bool)
}

// cpuOf is the CPU time so far of this process and r's own, if any; 0
// (no cpu-ns/op reported) if r's own is not known.
func cpuOf(r runner) int64 {
	n := cpuNanos()
	if c, ok := r.(childCPU); ok {
		cn, known := c.cpuNanos()
		if !known {
			return 0
		}
		n += cn
	}
	return n
}

// engine builds a runner for a workload: decoding, compiling and
// instantiating happen here, outside any benchmark timer.
type engine struct {
	name string
	open func(tb testing.TB, w Workload, bin []byte) runner
}

var engines = []engine{
	{name: "reference", open: openReference},
	{name: "wazero-interp", open: func(tb testing.TB, w Workload, bin []byte) runner {
		return openWazero(tb, w, bin, wazero.NewRuntimeConfigInterpreter())
	}},
	{name: "wazero-compiler", open: func(tb testing.TB, w Workload, bin []byte) runner {
		return openWazero(tb, w, bin, wazero.NewRuntimeConfigCompiler())
	}},
	{name: "wasm3", open: openWasm3},
}

// readWorkload returns the module bytes of w.
func readWorkload(tb testing.TB, w Workload) []byte {
	tb.Helper()
	bin, err := os.ReadFile(filepath.Join(WorkloadDir, w.File))
	if err != nil {
		tb.Fatalf("%s: %v", w.Name, err)
	}
	return bin
}

// checkResult fails tb if got is not w's expected result for c.
func checkResult(tb testing.TB, w Workload, eng string, c Call, got uint64) {
	tb.Helper()
	mask := ResultMask(w.Result)
	if got&mask != c.Want&mask {
		tb.Fatalf("%s on %s: %s(%v) = %#x (%s), want %#x", w.Name, eng, w.Export, c.Args,
			got&mask, w.Result, c.Want&mask)
	}
}

type wazeroRunner struct {
	ctx context.Context
	rt  wazero.Runtime
	fn  api.Function
}

func openWazero(tb testing.TB, w Workload, bin []byte, cfg wazero.RuntimeConfig) runner {
	tb.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	compiled, err := rt.CompileModule(ctx, bin)
	if err != nil {
		rt.Close(ctx)
		tb.Fatalf("%s: wazero compile: %v", w.Name, err)
	}
	mod, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		rt.Close(ctx)
		tb.Fatalf("%s: wazero instantiate: %v", w.Name, err)
	}
	fn := mod.ExportedFunction(w.Export)
	if fn == nil {
		rt.Close(ctx)
		tb.Fatalf("%s: wazero: no exported function %q", w.Name, w.Export)
	}
	return &wazeroRunner{ctx: ctx, rt: rt, fn: fn}
}

func (r *wazeroRunner) call(args []uint64) (uint64, error) {
	res, err := r.fn.Call(r.ctx, args...)
	if err != nil {
		return 0, err
	}
	if len(res) != 1 {
		return 0, fmt.Errorf("got %d results, want 1", len(res))
	}
	return res[0], nil
}

func (r *wazeroRunner) close() { r.rt.Close(r.ctx) }
