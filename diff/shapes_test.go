package diff

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/refereevm/referee/wasm"
)

// The costliest shapes the block gate admits, generated at its caps (too
// big to commit as bombs): each fills most of the 256 KiB module limit with
// what a compiling engine spends the most time on per byte. Measured on
// every engine by BenchmarkGateShapes (docs/metering.md, "The static
// gatekeeper"); TestGateShapes checks that the gate admits them and that
// every engine compiles them within the compile budget.
var gateShapes = []struct {
	name string
	bin  func() []byte
}{
	// 8 functions of 4,000 loads at distinct offsets: Cranelift's optimizer
	// was superlinear in them (4.0 s of CPU at OptLevelSpeed for nine).
	{"loads/8x4000", func() []byte { return sumModule(8, 0, 4000, loadAt) }},
	// Functions holding 1,000 or 4,000 values on the operand stack at once,
	// and keeping 1,000 or 4,000 locals live through passes reading them:
	// each as many as MaxSlotBytes (slots x body bytes) admits.
	{"height/35x1000", func() []byte { return heightModule(35, 1000) }},
	{"height/2x4000", func() []byte { return heightModule(2, 4000) }},
	{"locals/4x1000x12", func() []byte { return sumModule(4, 1000, 12*1000, localAt) }},
	{"locals/1x4000x1", func() []byte { return sumModule(1, 4000, 4000, localAt) }},
	// 2,047 functions of 128 params, and of 128 results.
	{"params/2047x128", func() []byte { return typeModule(2047, 128, 0) }},
	{"results/2047x128", func() []byte { return typeModule(2047, 0, 128) }},
}

// loadAt pushes the i64 at offset 8(k mod 8,000) of param 0's address.
func loadAt(b []byte, k int) []byte {
	b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpLocalGet, Index: 0})
	return wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpI64Load, Align: 3, MemOffset: uint32(8 * (k % 8000))})
}

// localAt pushes local 1 + k mod the locals (set by sumModule).
func localAt(locals int) func(b []byte, k int) []byte {
	return func(b []byte, k int) []byte {
		return wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpLocalGet, Index: uint32(1 + k%locals)})
	}
}

// sumModule has nf functions (i32) -> i64 that set their `locals` i64
// locals from memory, then sum n values pushed by push.
func sumModule(nf, locals, n int, push any) []byte {
	var p func([]byte, int) []byte
	switch f := push.(type) {
	case func([]byte, int) []byte:
		p = f
	case func(int) func([]byte, int) []byte:
		p = f(locals)
	}
	var b []byte
	for k := range locals {
		b = loadAt(b, k)
		b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpLocalSet, Index: uint32(1 + k)})
	}
	b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpI64Const, Const: 0})
	for k := range n {
		b = p(b, k)
		b = append(b, byte(wasm.OpI64Add))
	}
	b = append(b, byte(wasm.OpEnd))
	c := wasm.Code{Body: b}
	if locals > 0 {
		c.Locals, c.NumLocals = []wasm.LocalDecl{{Count: uint32(locals), Type: wasm.I64}}, uint64(locals)
	}
	return shapeModule(nf, wasm.FuncType{Params: []wasm.ValType{wasm.I32}, Results: []wasm.ValType{wasm.I64}}, c)
}

// heightModule has nf functions () -> i64 that push h loads, then add them.
func heightModule(nf, h int) []byte {
	var b []byte
	for k := range h {
		b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpI32Const, Const: 0})
		b = wasm.AppendInstr(b, wasm.Instr{Op: wasm.OpI64Load, Align: 3, MemOffset: uint32(8 * (k % 8000))})
	}
	for range h - 1 {
		b = append(b, byte(wasm.OpI64Add))
	}
	b = append(b, byte(wasm.OpEnd))
	return shapeModule(nf, wasm.FuncType{Results: []wasm.ValType{wasm.I64}}, wasm.Code{Body: b})
}

// typeModule has nf functions with np i64 params and nr i64 results
// (bodies: unreachable).
func typeModule(nf, np, nr int) []byte {
	var t wasm.FuncType
	for range np {
		t.Params = append(t.Params, wasm.I64)
	}
	for range nr {
		t.Results = append(t.Results, wasm.I64)
	}
	return shapeModule(nf, t, wasm.Code{Body: []byte{byte(wasm.OpUnreachable), byte(wasm.OpEnd)}})
}

// shapeModule: nf functions of type t with code c, a one-page memory and
// an exported [] -> [] function "run".
func shapeModule(nf int, t wasm.FuncType, c wasm.Code) []byte {
	m := &wasm.Module{
		Types:    []wasm.FuncType{t, {}},
		Memories: []wasm.MemoryType{{Limits: wasm.Limits{Min: 1}}},
	}
	for range nf {
		m.Funcs = append(m.Funcs, 0)
		m.Codes = append(m.Codes, c)
	}
	m.Funcs = append(m.Funcs, 1)
	m.Codes = append(m.Codes, wasm.Code{Body: []byte{byte(wasm.OpEnd)}})
	m.Exports = []wasm.Export{{Name: "run", Kind: wasm.ExternFunc, Index: uint32(nf)}}
	return wasm.Encode(m)
}

// TestGateShapes: the gate admits each shape at its caps, and every engine
// compiles it within the compile budget (the time is the benchmark's).
func TestGateShapes(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles 1.2 MB of worst-case code on every engine")
	}
	for _, sh := range gateShapes {
		t.Run(sh.name, func(t *testing.T) {
			bin := sh.bin()
			p, err := Gate(bin, DefaultGateOptions())
			if err != nil {
				t.Fatalf("%d bytes refused: %v", len(bin), err)
			}
			for _, e := range testEngines(t) {
				c, ok := e.(Compiler)
				if !ok {
					continue
				}
				start := time.Now()
				if err := compileWithin(context.Background(), DefaultCompileBudget, e.Name(), func() error { return c.Compile(context.Background(), p) }); err != nil {
					t.Errorf("%s: %v", e.Name(), err)
				}
				t.Logf("%s: %d bytes compiled in %v", e.Name(), len(bin), time.Since(start).Round(time.Millisecond))
			}
		})
	}
}

// BenchmarkGateShapes measures compiling each gate shape on each engine
// from a fresh engine (so nothing is cached), reporting CPU time per
// compilation beside wall time (the machines these run on are shared):
//
//	go test ./diff -run XXX -bench BenchmarkGateShapes -benchtime 3x
func BenchmarkGateShapes(b *testing.B) {
	for _, sh := range gateShapes {
		p, err := Gate(sh.bin(), DefaultGateOptions())
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range AllEngineNames() {
			if name == "reference" {
				continue
			}
			b.Run(fmt.Sprintf("%s/%s", sh.name, name), func(b *testing.B) {
				var cpu time.Duration
				for b.Loop() {
					es, err := Engines([]string{name}, EngineConfig{})
					if err != nil {
						b.Fatal(err)
					}
					c0 := cpuTime()
					if err := es[0].(Compiler).Compile(context.Background(), p); err != nil {
						b.Fatal(err)
					}
					cpu += cpuTime() - c0
					CloseEngines(es)
				}
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// cpuTime returns the CPU time this process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
