package meter

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/bench"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

func readWorkload(tb testing.TB, w bench.Workload) []byte {
	tb.Helper()
	bin, err := os.ReadFile(filepath.Join(bench.WorkloadDir, w.File))
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// ample is a gas limit no test workload reaches.
const ample = 1 << 62

// TestWorkloadsPreserved: every workload computes its expected result when
// instrumented, in both NaN profiles, on every engine, with exit 0 and depth
// back at 0.
func TestWorkloadsPreserved(t *testing.T) {
	for _, w := range bench.Workloads {
		for _, canon := range []bool{false, true} {
			o := DefaultOptions()
			o.CanonicalizeNaN = canon
			o.StartGas = ample
			bin := instrument(t, readWorkload(t, w), o)
			for _, e := range testEngines {
				name := w.Name + "/" + profile(canon) + "/" + e.name
				t.Run(name, func(t *testing.T) {
					got := e.run(t, bin, w.Export, w.Test.Args)
					mask := bench.ResultMask(w.Result)
					if got.trapped || len(got.results) != 1 || got.results[0]&mask != w.Test.Want&mask ||
						got.exit != 0 || got.depth != 0 {
						t.Fatalf("%s(%v): got %v, want result %#x", w.Export, w.Test.Args, got, w.Test.Want&mask)
					}
				})
			}
		}
	}
}

func profile(canon bool) string {
	if canon {
		return "canonicalize"
	}
	return "raw"
}

// TestWorkloadsGas: gas used is identical on every engine, and equals the
// gas the metering model assigns to the run of the uninstrumented module on
// the reference machine: the full static cost of every segment entered plus
// the dynamic charges (docs/metering.md).
func TestWorkloadsGas(t *testing.T) {
	for _, w := range bench.Workloads {
		t.Run(w.Name, func(t *testing.T) {
			plain := readWorkload(t, w)
			o := DefaultOptions()
			o.StartGas = ample
			bin := instrument(t, plain, o)
			want := tracedGas(t, plain, w.Export, w.Test.Args, o)
			for _, e := range testEngines {
				got := e.run(t, bin, w.Export, w.Test.Args)
				if used := ample - got.gasLeft; used != want || got.trapped {
					t.Errorf("%s: gas used %d (%v), want %d", e.name, used, got, want)
				}
			}
		})
	}
}

// tracedGas runs the uninstrumented module on the reference machine and
// adds the static cost of a segment each time the first instruction of the
// segment executes, and the dynamic charges of grow and bulk operations,
// whose size operand is the top of the stack after the previous step.
func tracedGas(tb testing.TB, bin []byte, export string, args []uint64, o Options) uint64 {
	tb.Helper()
	m := decodeValid(tb, bin)
	mach := trace.NewMachine(trace.Config{})
	inst, err := mach.Instantiate(m)
	if err != nil {
		tb.Fatal(err)
	}
	p := newPriced(o.Costs)
	// Segment entries by function index and code-section offset.
	type pos struct{ fn, off uint32 }
	entries := map[pos]uint64{}
	nimp := uint32(m.NumImports(wasm.ExternFunc))
	for i, c := range m.Codes {
		b, err := analyze(c.Body, p)
		if err != nil {
			tb.Fatal(err)
		}
		for _, in := range b.instrs {
			if in.seg >= 0 && !b.segs[in.seg].dead && b.segs[in.seg].cost > 0 {
				entries[pos{nimp + uint32(i), c.BodyOffset - m.CodeSectionOffset + in.start}] = b.segs[in.seg].cost
			}
		}
	}
	var sum, top uint64
	mach.SetTracer(func(s trace.StepInfo) {
		sum += entries[pos{s.Func, s.Offset}]
		switch s.Op {
		case wasm.OpMemoryGrow:
			sum += top * o.GrowCostPerPage
		case wasm.OpMemoryFill, wasm.OpMemoryCopy, wasm.OpMemoryInit:
			sum += (top + 31) / 32 * o.Costs.BulkPerWord
		case wasm.OpTableGrow, wasm.OpTableFill, wasm.OpTableCopy, wasm.OpTableInit:
			sum += top * o.Costs.TablePerElem
		}
		top = s.Top.Bits
	})
	if _, err := mach.Invoke(inst, export, typedArgs(tb, m, export, args)); err != nil {
		tb.Fatal(err)
	}
	return sum
}

// TestOutOfGas: with half the gas a workload needs, every engine traps
// with referee_exit = 1 and no gas left.
func TestOutOfGas(t *testing.T) {
	for _, w := range bench.Workloads {
		t.Run(w.Name, func(t *testing.T) {
			plain := readWorkload(t, w)
			o := DefaultOptions()
			o.StartGas = tracedGas(t, plain, w.Export, w.Test.Args, o) / 2
			bin := instrument(t, plain, o)
			var outs []outcome
			for _, e := range testEngines {
				got := e.run(t, bin, w.Export, w.Test.Args)
				if !got.trapped || got.exit != ExitOutOfGas || got.gasLeft != 0 {
					t.Errorf("%s: got %v, want an out-of-gas trap", e.name, got)
				}
				outs = append(outs, got)
			}
			for i := range outs[1:] {
				if outs[i+1].depth != outs[0].depth {
					t.Errorf("%s: depth at the trap %d, %s: %d", testEngines[0].name, outs[0].depth,
						testEngines[i+1].name, outs[i+1].depth)
				}
			}
		})
	}
}
