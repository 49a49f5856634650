package bench

import (
	"testing"

	"github.com/refereevm/referee/trace"
)

// stepRing is a trace sink: it keeps the last len(buf) steps in a reused
// buffer, as a tracer that streams steps out would.
type stepRing struct {
	buf [4096]trace.StepInfo
	n   int
}

func (r *stepRing) record(s trace.StepInfo) {
	r.buf[r.n&(len(r.buf)-1)] = s
	r.n++
}

// BenchmarkStep measures the cost of stepping: each workload's benchmark call
// on the reference machine driven one Step at a time, every StepInfo handed
// to a sink that records it. Compare its steps/s with
// BenchmarkWorkloads/<workload>/reference (Run's fast path). ns/step and
// steps/s are wall time; cpu-ns/step is process CPU time, steadier on a
// shared machine.
func BenchmarkStep(b *testing.B) {
	for _, w := range Workloads {
		bin := readWorkload(b, w)
		b.Run(w.BenchName(), func(b *testing.B) {
			m, inst := instantiateReference(b, w, bin)
			fn, ok := inst.Export(w.Export)
			if !ok {
				b.Fatalf("%s: no export %q", w.Name, w.Export)
			}
			args := referenceArgs(w, w.Bench.Args)
			sink := new(stepRing)
			mask := ResultMask(w.Result)
			start := m.Steps()
			b.ResetTimer()
			cpu0 := cpuNanos()
			for i := 0; i < b.N; i++ {
				if err := m.Call(fn, args); err != nil {
					b.Fatalf("%s: call: %v", w.Name, err)
				}
				for m.Status() == trace.StatusRunning {
					info, err := m.Step()
					if err != nil {
						b.Fatalf("%s: step %d: %v", w.Name, m.Steps(), err)
					}
					sink.record(info)
				}
				if m.Status() != trace.StatusDone {
					b.Fatalf("%s: ended in status %s (%v)", w.Name, m.Status(), m.TrapKind())
				}
				res := m.Results()
				if len(res) != 1 || res[0].Bits&mask != w.Bench.Want&mask {
					b.Fatalf("%s: results %v, want %#x", w.Name, res, w.Bench.Want&mask)
				}
			}
			b.StopTimer()
			steps := m.Steps() - start
			if cpu := cpuNanos() - cpu0; cpu0 > 0 && cpu > 0 {
				b.ReportMetric(float64(cpu)/float64(steps), "cpu-ns/step")
			}
			b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(steps), "ns/step")
		})
	}
}
