package verifier

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute/prooftest"
	"github.com/refereevm/referee/meter"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// hostMachine builds a machine with spectest (its memory is store address
// 0) and the host functions of dispute/testdata/proof_host.wat as "host"
// (prooftest.RegisterHost, as dispute's host-call tests do), and
// proof_host.wasm instantiated; it returns the host functions and the
// exports calls and trap by name.
func hostMachine(t testing.TB, cfg trace.Config) (*trace.Machine, map[string]trace.Extern) {
	t.Helper()
	m := trace.NewMachine(cfg)
	m.RegisterSpectest()
	var inst *trace.Instance
	fns := prooftest.RegisterHost(m, func() *trace.Instance { return inst })
	var err error
	if inst, err = m.Instantiate(loadModule(t, "../../dispute/testdata/proof_host.wasm")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"calls", "trap"} {
		ex, _ := inst.Export(name)
		fns[name] = ex
	}
	return m, fns
}

// TestHostDifferential checks every step of host-calling runs replayed
// from recorded tapes: calls (two results, writes across a page end and in
// another memory, a host callee of call_indirect), a host function that
// writes and traps, entry host functions (pending), the fuel trap of a
// pending entry, and misused tapes (exhausted, or recorded for another run).
func TestHostDifferential(t *testing.T) {
	record := func(fn string, args ...trace.Value) trace.HostTape {
		m, fns := hostMachine(t, trace.Config{})
		if err := m.RecordHost(); err != nil {
			t.Fatal(err)
		}
		if err := m.Call(fns[fn], args); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Run(0); err != nil {
			t.Fatal(err)
		}
		return m.HostTape()
	}
	rows := []struct {
		name string
		cfg  trace.Config
		tape trace.HostTape
		fn   string
		args []trace.Value
	}{
		{name: "calls", tape: record("calls"), fn: "calls"},
		{name: "trap", tape: record("trap"), fn: "trap"},
		{name: "entry-get", tape: record("get", trace.I32(100)), fn: "get", args: []trace.Value{trace.I32(100)}},
		{name: "entry-get-oob", tape: record("get", trace.I32(131070)), fn: "get", args: []trace.Value{trace.I32(131070)}},
		{name: "entry-fail", tape: record("fail"), fn: "fail"},
		{name: "entry-pair", tape: record("pair", trace.I64(41)), fn: "pair", args: []trace.Value{trace.I64(41)}},
		{name: "entry-fuel", cfg: trace.Config{MaxSteps: 1}, tape: record("fail"), fn: "fail"},
		{name: "exhausted", tape: trace.HostTape{}, fn: "calls"},
		{name: "other-run", tape: record("trap"), fn: "calls"},
	}
	v := newVerifier(t)
	st := newDiffStats()
	defer st.merge()
	hostCalls := 0
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			m, fns := hostMachine(t, r.cfg)
			if err := m.ReplayHost(r.tape); err != nil {
				t.Fatal(err)
			}
			if err := m.Call(fns[r.fn], r.args); err != nil {
				t.Fatal(err)
			}
			c := trace.NewCommitter(m)
			for m.Status() == trace.StatusRunning {
				calls := m.HostCalls()
				stepBoth(t, v, st, c, r.name)
				if m.HostCalls() != calls {
					hostCalls++
				}
			}
		})
	}
	if hostCalls < 8 {
		t.Errorf("%d host-call steps proven, want at least 8", hostCalls)
	}
	st.summary(t)
}

// TestBulkCapDifferential checks every step of the gated bulk contract
// diff/testdata/bulk.wasm at and over the blocks' bulk caps: a 64 KiB
// memory.copy and an 8,192-element table.copy in one step each, and the
// meter's limit exit one element or byte over.
func TestBulkCapDifferential(t *testing.T) {
	bin, err := os.ReadFile(filepath.Join("..", "..", "diff", "testdata", "bulk.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	opts := diff.DefaultGateOptions()
	opts.Meter.StartGas = 1 << 30
	p, err := diff.Gate(bin, opts)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := wasm.Decode(p.Code)
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t)
	v.EVM.SetGasLimit(1 << 30)
	st := newDiffStats()
	defer st.merge()
	for _, tc := range []struct {
		entry string
		n     uint32
		exit  uint64
	}{
		{"copy", 65536, meter.ExitNone},
		{"copy", 65537, meter.ExitBulkLimit},
		{"table_copy", 8192, meter.ExitNone},
		{"table_copy", 8193, meter.ExitBulkLimit},
	} {
		m := trace.NewMachine(trace.Config{})
		inst, err := m.Instantiate(mod)
		if err != nil {
			t.Fatal(err)
		}
		exit, _ := inst.Export(meter.ExportExit)
		ex, _ := inst.Export(tc.entry)
		if err := m.Call(ex, []trace.Value{trace.I32(tc.n)}); err != nil {
			t.Fatal(err)
		}
		c := trace.NewCommitter(m)
		for m.Status() == trace.StatusRunning {
			stepBoth(t, v, st, c, tc.entry)
		}
		if got := m.GlobalValue(exit).Bits; got != tc.exit {
			t.Errorf("%s(%d): exit %d, want %d", tc.entry, tc.n, got, tc.exit)
		}
	}
	st.summary(t)
}
