//go:build unix

package narrow

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
	"github.com/tetratelabs/wazero"
)

// TestFigures measures narrowing a planted fault on the benchmark-size
// workloads for several k: rounds, engine runs and wall time. It runs only
// with NARROW_FIGURES=FILE and appends a markdown table to FILE.
func TestFigures(t *testing.T) {
	file := os.Getenv("NARROW_FIGURES")
	if file == "" {
		t.Skip("set NARROW_FIGURES=FILE to measure")
	}
	cases := []struct {
		name, file string
		args       []uint64
		plant      string
	}{
		{"sha256 n=65536", "sha256.wasm", []uint64{65536, 1}, "i32.add@1000000"},
		{"loop n=1000000", "loop.wasm", []uint64{1000000}, "i64.add@900000"},
		{"fib n=27", "fib.wasm", []uint64{27}, "i32.add@300000"},
	}
	var b strings.Builder
	b.WriteString("| workload | steps | planted | found at step | k | rounds | engine runs | wall | CPU |\n|---|---|---|---|---|---|---|---|---|\n")
	ctx := context.Background()
	for _, c := range cases {
		tg := &Target{Base: loadModule(t, c.file), Entry: "run", Args: c.args, TxIndex: -1}
		// one whole run, plain and instrumented, on wazero's compiler
		plain, inst := runTime(t, tg)
		fmt.Fprintf(&b, "| %s: one whole run on wazero-compiler | %d | | | | | | %v plain | %v instrumented |\n", c.name, 0, plain.Round(time.Microsecond), inst.Round(time.Microsecond))
		for _, k := range []int{2, 4, 16, 64} {
			es, err := NewEngines([]string{"planted-op:" + c.plant, "wazero-compiler"}, diff.EngineConfig{})
			if err != nil {
				t.Fatal(err)
			}
			cpu0 := cpuNanos()
			r, err := Narrow(ctx, tg, es[0], es[1], Options{K: k})
			cpu := time.Duration(cpuNanos() - cpu0)
			CloseEngines(es)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %d (func[%d] +0x%x %s) | %d | %d | %d | %s | %s |\n", c.name, r.Total[1], c.plant,
				r.Step, r.Func, r.Offset, r.Op, k, r.Rounds, r.Runs, r.Wall.Round(time.Millisecond), cpu.Round(time.Millisecond))
		}
	}
	t.Log("\n" + b.String())
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString(b.String())
}

// runTime times one whole run of tg on wazero's compiler (compiled before
// timing), of the original module and of the instrumented one.
func runTime(t *testing.T, tg *Target) (plain, inst time.Duration) {
	t.Helper()
	ctx := context.Background()
	in, err := Instrument(tg.Base, tg.Entry, nil)
	if err != nil {
		t.Fatal(err)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
	defer rt.Close(ctx)
	time1 := func(code []byte, entry string, args []uint64) time.Duration {
		cm, err := rt.CompileModule(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		mod, err := rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			t.Fatal(err)
		}
		defer mod.Close(ctx)
		start := time.Now()
		if _, err := mod.ExportedFunction(entry).Call(ctx, args...); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	plain = time1(wasm.Encode(tg.Base), tg.Entry, tg.Args)
	inst = time1(in.Code, EntryName, append(append([]uint64(nil), tg.Args...), ^uint64(0), 0))
	return plain, inst
}

// cpuNanos returns the CPU time (user + system) this process has used.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
