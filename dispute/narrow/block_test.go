package narrow

import (
	"context"
	"errors"
	"testing"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/dispute"
)

// TestNarrowBlock narrows a planted fault inside a block transaction that
// calls the host ABI (the metered sha256 chain of examples/blocks/mixed.json,
// run after the transactions before it).
func TestNarrowBlock(t *testing.T) {
	b, err := block.Load("../../examples/blocks/mixed.json")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tg, err := BlockTarget(ctx, b, 4)
	if err != nil {
		t.Fatal(err)
	}
	p := Plant{Op: DefaultPlant.Op, Nth: 20000}
	want, total := nthSite(t, tg, p.Op, p.Nth)
	es, err := NewEngines([]string{"planted-op:" + p.String(), "wazero-compiler"}, diff.EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer CloseEngines(es)
	r, err := Narrow(ctx, tg, es[0], es[1], Options{K: 16})
	if err != nil {
		t.Fatal(err)
	}
	if r.Step != want.Step || r.Func != want.Func || r.Offset != want.Offset || r.Total[1] != total {
		t.Fatalf("narrowed to step %d func[%d] +0x%x of %v, planted at step %d func[%d] +0x%x of %d",
			r.Step, r.Func, r.Offset, r.Total, want.Step, want.Func, want.Offset, total)
	}
	if r.Proof == nil {
		t.Fatalf("no proof: %s", r.ProofNote)
	}
	if _, err := dispute.Verify(r.Proof.Pre, r.Proof.Bytes); err != nil {
		t.Fatal(err)
	}
	// the same transaction on two honest engines agrees
	hs, err := NewEngines([]string{"wazero-compiler", "wazero-interp"}, diff.EngineConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer CloseEngines(hs)
	if _, err := Narrow(ctx, tg, hs[0], hs[1], Options{}); !errors.Is(err, ErrAgree) {
		t.Fatalf("honest engines: %v, want ErrAgree", err)
	}
}
