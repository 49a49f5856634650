package verifier

import (
	"os"
	"testing"

	"github.com/refereevm/referee/dispute"
)

// TestProofVector checks the worked example of docs/proof-format.md §7 on
// chain: the first step of fac-rec(25), a local.get.
func TestProofVector(t *testing.T) {
	p, err := os.ReadFile("../../dispute/testdata/fac-rec-step1.proof")
	if err != nil {
		t.Fatal(err)
	}
	info, err := dispute.DescribeProof(p)
	if err != nil {
		t.Fatal(err)
	}
	want, err := dispute.Verify(info.Pre, p)
	if err != nil {
		t.Fatal(err)
	}
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	o, err := v.Verify(info.Pre, p)
	if err != nil {
		t.Fatal(err)
	}
	if o.Post != want {
		t.Fatalf("post %x, want %x", o.Post, want)
	}
	t.Logf("gas exec %d tx %d, %d bytes calldata", o.ExecGas, o.TxGas, o.Calldata)
	p[0] ^= 1
	if _, err := v.Verify(info.Pre, p); err == nil {
		t.Fatal("flipped version accepted")
	} else {
		t.Log(err)
	}
}
