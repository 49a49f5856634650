package verifier

import (
	"errors"
	"sort"
	"testing"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/trace"
)

// flipSamples proves every step of the proof_ops.wat cases and the host
// calls and keeps, per instruction class (and for traps), the smallest
// proof: the sample the bit-flip test flips.
func flipSamples(t *testing.T) map[string]sample {
	t.Helper()
	out := map[string]sample{}
	keep := func(cl string, pre [32]byte, p []byte, post [32]byte, where string) {
		if s, ok := out[cl]; !ok || len(p) < len(s.proof) {
			out[cl] = sample{where, pre, append([]byte(nil), p...), post}
		}
	}
	run := func(m *trace.Machine, where string) {
		c := trace.NewCommitter(m)
		for m.Status() == trace.StatusRunning {
			pre := c.Root()
			p, err := dispute.Prove(c)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Step(); err != nil {
				t.Fatal(err)
			}
			post := c.Root()
			info, _ := dispute.DescribeProof(p.Bytes)
			cl := opClass(info.Op, isHostCall(p.Bytes))
			if m.Status() == trace.StatusTrapped {
				keep("trap "+m.TrapKind().String(), pre, p.Bytes, post, where)
			} else {
				keep(cl, pre, p.Bytes, post, where)
			}
		}
	}
	mod := loadModule(t, "../../dispute/testdata/proof_ops.wasm")
	for _, r := range []struct {
		export string
		cfg    trace.Config
		args   []trace.Value
	}{
		{"mem", trace.Config{}, nil}, {"bulk", trace.Config{}, nil}, {"tables", trace.Config{}, nil},
		{"control", trace.Config{}, []trace.Value{trace.I32(23)}}, {"br-table-return", trace.Config{}, []trace.Value{trace.I32(9)}},
		{"deep", trace.Config{MaxCallDepth: 8}, []trace.Value{trace.I32(30)}},
		{"deep", trace.Config{MaxStackValues: 100}, []trace.Value{trace.I32(200)}},
		{"spin", trace.Config{MaxSteps: 40}, nil},
		{"div0", trace.Config{}, nil}, {"oob-load", trace.Config{}, nil}, {"oob-table", trace.Config{}, nil},
		{"undefined-elem", trace.Config{}, nil}, {"uninit-elem", trace.Config{}, nil}, {"mismatch", trace.Config{}, nil},
		{"unreachable", trace.Config{}, nil}, {"floats", trace.Config{}, nil}, {"bad-trunc", trace.Config{}, nil},
	} {
		m := trace.NewMachine(r.cfg)
		inst, err := m.Instantiate(mod)
		if err != nil {
			t.Fatal(err)
		}
		ex, _ := inst.Export(r.export)
		if err := m.Call(ex, r.args); err != nil {
			t.Fatal(err)
		}
		run(m, r.export)
	}
	// vector instructions: every class, straddling v128 locals, OOB lane accesses
	simd := loadModule(t, "../../dispute/testdata/proof_simd.wasm")
	for _, r := range []struct {
		export string
		args   []trace.Value
	}{{"simd", nil}, {"oob", []trace.Value{trace.I32(65532)}}, {"oob", []trace.Value{trace.I32(65534)}}} {
		m := trace.NewMachine(trace.Config{})
		inst, err := m.Instantiate(simd)
		if err != nil {
			t.Fatal(err)
		}
		ex, _ := inst.Export(r.export)
		if err := m.Call(ex, r.args); err != nil {
			t.Fatal(err)
		}
		run(m, "simd "+r.export)
	}
	// host calls from a recorded tape: calls, and a pending entry host function
	for _, fn := range []string{"calls", "pair"} {
		rec, fns := hostMachine(t, trace.Config{})
		if err := rec.RecordHost(); err != nil {
			t.Fatal(err)
		}
		var args []trace.Value
		if fn == "pair" {
			args = []trace.Value{trace.I64(1)}
		}
		if err := rec.Call(fns[fn], args); err != nil {
			t.Fatal(err)
		}
		if _, err := rec.Run(0); err != nil {
			t.Fatal(err)
		}
		m, fns := hostMachine(t, trace.Config{})
		if err := m.ReplayHost(rec.HostTape()); err != nil {
			t.Fatal(err)
		}
		if err := m.Call(fns[fn], args); err != nil {
			t.Fatal(err)
		}
		run(m, "host "+fn)
	}
	return out
}

// TestBitFlips flips every bit of one proof per instruction class (and per
// trap kind), and every bit of its pre-state root, and requires the EVM
// verifier to agree with dispute.Verify on each flipped input exactly: both
// reject, or both return the same post-state root (which, where it is the
// honest one, means the flip did not matter to either). Float classes are
// skipped while their SoftFloat routines are pending. With -short every 7th
// bit is flipped.
func TestBitFlips(t *testing.T) {
	samples := flipSamples(t)
	classes := make([]string, 0, len(samples))
	for cl := range samples {
		classes = append(classes, cl)
	}
	sort.Strings(classes)
	v := newVerifier(t)
	total := 0
	for _, cl := range classes {
		s := samples[cl]
		if _, err := v.Verify(s.pre, s.proof); errors.Is(err, ErrFloatPending) {
			t.Logf("%s: PENDING SoftFloat, not flipped", cl)
			continue
		}
		flips, rejected, sameRoot := 0, 0, 0
		try := func(pre [32]byte, p []byte, what string, bit int) {
			goPost, goErr := dispute.Verify(pre, p)
			o, evmErr := v.Verify(pre, p)
			flips++
			switch {
			case goErr != nil && evmErr != nil:
				rejected++
			case goErr == nil && evmErr == nil && goPost == o.Post:
				if goPost == s.post {
					sameRoot++
				}
			default:
				t.Errorf("%s (%s): %s bit %d flipped: Go (%x, %v), EVM (%x, %v)", cl, s.where, what, bit, goPost, goErr, o.Post, evmErr)
			}
		}
		stride := 1
		if testing.Short() {
			stride = 7 // -short: every 7th bit
		}
		for i := 0; i < 8*len(s.proof); i += stride {
			p := append([]byte(nil), s.proof...)
			p[i/8] ^= 1 << (i % 8)
			try(s.pre, p, "proof", i)
		}
		for i := 0; i < 256; i++ {
			pre := s.pre
			pre[i/8] ^= 1 << (i % 8)
			try(pre, s.proof, "pre-root", i)
		}
		total += flips
		t.Logf("%s: %d-byte proof, %d flips: %d rejected by both, %d give the honest root on both", cl, len(s.proof), flips, rejected, sameRoot)
	}
	t.Logf("%d flipped inputs over %d classes", total, len(classes))
}
