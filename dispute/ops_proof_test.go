package dispute

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/refereevm/referee/trace"
)

const opsWasm = "testdata/proof_ops.wasm"

// TestOpsProof proves and verifies every step of calls that exercise each
// instruction class at its edges (testdata/proof_ops.wat): straddling
// loads and stores, fills and copies of many shapes, table bulk ops,
// br_table, deep recursion, and every trap kind. Every step must be
// provable, and the call must end as expected.
func TestOpsProof(t *testing.T) {
	type row struct {
		name   string
		cfg    trace.Config
		export string
		args   []trace.Value
		trap   trace.TrapKind // TrapNone: must finish
	}
	rows := []row{
		{name: "mem", export: "mem"},
		{name: "bulk", export: "bulk"},
		{name: "tables", export: "tables"},
		{name: "control", export: "control", args: []trace.Value{trace.I32(23)}},
		{name: "deep", export: "deep", args: []trace.Value{trace.I32(30)}},
		{name: "br-table-return/0", export: "br-table-return", args: []trace.Value{trace.I32(0)}},
		{name: "br-table-return/1", export: "br-table-return", args: []trace.Value{trace.I32(1)}},
		{name: "br-table-return/9", export: "br-table-return", args: []trace.Value{trace.I32(9)}},
		{name: "floats", export: "floats"},
		{name: "bad-trunc", export: "bad-trunc", trap: trace.TrapInvalidConversion},
		{name: "unreachable", export: "unreachable", trap: trace.TrapUnreachable},
		{name: "div0", export: "div0", trap: trace.TrapIntegerDivideByZero},
		{name: "ovf", export: "ovf", trap: trace.TrapIntegerOverflow},
		{name: "oob-load", export: "oob-load", trap: trace.TrapOutOfBoundsMemory},
		{name: "oob-store", export: "oob-store", trap: trace.TrapOutOfBoundsMemory},
		{name: "oob-fill", export: "oob-fill", trap: trace.TrapOutOfBoundsMemory},
		{name: "oob-copy", export: "oob-copy", trap: trace.TrapOutOfBoundsMemory},
		{name: "oob-init", export: "oob-init", trap: trace.TrapOutOfBoundsMemory},
		{name: "oob-table", export: "oob-table", trap: trace.TrapOutOfBoundsTable},
		{name: "oob-table-fill", export: "oob-table-fill", trap: trace.TrapOutOfBoundsTable},
		{name: "undefined-elem", export: "undefined-elem", trap: trace.TrapUndefinedElement},
		{name: "uninit-elem", export: "uninit-elem", trap: trace.TrapUninitializedElement},
		{name: "mismatch", export: "mismatch", trap: trace.TrapIndirectCallTypeMismatch},
		{name: "call-depth", cfg: trace.Config{MaxCallDepth: 8}, export: "deep", args: []trace.Value{trace.I32(30)}, trap: trace.TrapCallStackExhausted},
		{name: "stack-values", cfg: trace.Config{MaxStackValues: 100}, export: "deep", args: []trace.Value{trace.I32(200)}, trap: trace.TrapValueStackExhausted},
		{name: "fuel", cfg: trace.Config{MaxSteps: 40}, export: "spin", trap: trace.TrapStepLimit},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			pc := proofCase{name: r.name, cfg: r.cfg, module: opsWasm, export: r.export, args: r.args}
			m := pc.start(t)
			c := trace.NewCommitter(m)
			for m.Status() == trace.StatusRunning {
				if _, err := stepAndCheck(t, c); err != nil {
					t.Fatalf("step %d: %v", m.Steps(), err)
				}
			}
			if r.trap == trace.TrapNone && m.Status() != trace.StatusDone {
				t.Fatalf("status %s (%v), want done", m.Status(), m.Trap())
			}
			if r.trap != trace.TrapNone && m.TrapKind() != r.trap {
				t.Fatalf("status %s, trap %v, want %v", m.Status(), m.TrapKind(), r.trap)
			}
		})
	}
}

// TestProveNotRunning: a machine that cannot step yields a proof the
// verifier rejects as such.
func TestProveNotRunning(t *testing.T) {
	pc := proofCase{module: opsWasm, export: "div0"}
	m := pc.start(t)
	c := trace.NewCommitter(m)
	for m.Status() == trace.StatusRunning {
		m.Step()
	}
	p, err := Prove(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(p.Pre, p.Bytes); !errors.Is(err, ErrBadProof) {
		t.Fatalf("verify of a trapped machine: %v", err)
	}
}

// TestProofVector pins the worked example of docs/proof-format.md §7:
// the proof of fac-rec(25)'s first step, its pre- and post-state roots.
func TestProofVector(t *testing.T) {
	b, err := os.ReadFile("testdata/fac-rec-step1.proof")
	if err != nil {
		t.Fatal(err)
	}
	pre, _ := ParseRoot("0x25a7fb17f50db95448bf5281f1deae431bc4aa61c8ca02c329383c1b4e66ac11")
	want, _ := ParseRoot("0xaf9273ae44f3ae6857fbe2034c3aa4c3bae05c9cdf2172f7062a474406578bde")
	post, err := Verify(pre, b)
	if err != nil || post != want || len(b) != 775 {
		t.Fatalf("verify: %x, %v (len %d), want %x", post, err, len(b), want)
	}
	pc := proofCase{module: specDir + "fac.0.wasm", export: "fac-rec", args: []trace.Value{trace.I64(25)}}
	c := trace.NewCommitter(pc.start(t))
	p, err := Prove(c)
	if err != nil || !bytes.Equal(p.Bytes, b) {
		t.Fatalf("the machine's proof differs from the vector (%v)", err)
	}
}

// TestProofChecker: the arbiter's StepChecker backed by Verify accepts an
// honest proof for the honest post-state only.
func TestProofChecker(t *testing.T) {
	var _ StepChecker = ProofChecker{}
	pc := proofCase{module: opsWasm, export: "tables"}
	m := pc.start(t)
	c := trace.NewCommitter(m)
	for n := 0; n < 30 && m.Status() == trace.StatusRunning; n++ {
		pre := c.Root()
		p, err := Prove(c)
		if err != nil {
			t.Fatal(err)
		}
		m.Step()
		post := c.Root()
		if ok, err := (ProofChecker{}).CheckStep(m.Steps(), pre, post, p.Bytes); !ok || err != nil {
			t.Fatalf("step %d: honest proof: %v, %v", m.Steps(), ok, err)
		}
		bad := post
		bad[0] ^= 1
		if ok, _ := (ProofChecker{}).CheckStep(m.Steps(), pre, bad, p.Bytes); ok {
			t.Fatalf("step %d: accepted a wrong post-state", m.Steps())
		}
		if ok, _ := (ProofChecker{}).CheckStep(m.Steps(), post, post, p.Bytes); ok {
			t.Fatalf("step %d: accepted a proof for another pre-state", m.Steps())
		}
	}
}
