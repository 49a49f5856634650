package verifier

import (
	"os"
	"testing"

	"golang.org/x/crypto/sha3"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/onchain"
	"github.com/refereevm/referee/onchain/evm"
)

// FuzzOnChainVerify feeds the EVM verifier and dispute.Verify the same
// hostile proof and requires them to agree: the same post-state root, or
// both reject. The pre-root is the hash of the proof's own state part, so
// the fuzzer gets past the first check (as dispute.FuzzVerify does).
//
//	go test -fuzz FuzzOnChainVerify ./verifier
func FuzzOnChainVerify(f *testing.F) {
	vec, err := os.ReadFile("../../dispute/testdata/fac-rec-step1.proof")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(vec)
	f.Add(vec[:400])
	f.Add([]byte{2})
	v, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		var pre [32]byte
		if len(p) >= 328 {
			h := sha3.NewLegacyKeccak256()
			h.Write([]byte("referee/state/v2"))
			h.Write(p[1:328])
			h.Sum(pre[:0])
		}
		goPost, goErr := dispute.Verify(pre, p)
		o, evmErr := v.Verify(pre, p)
		if (goErr == nil) != (evmErr == nil) || (goErr == nil && goPost != o.Post) {
			t.Fatalf("Go (%x, %v), EVM (%x, %v)", goPost, goErr, o.Post, evmErr)
		}
	})
}

// TestCodeSize keeps every deployed contract under EIP-170's 24,576 bytes
// (the EVM would refuse to deploy it) and logs the margin.
func TestCodeSize(t *testing.T) {
	for _, name := range append(append([]string(nil), Provers...), "OneStepVerifier", "DisputeGame", "SimStepChecker") {
		a, err := onchain.LoadArtifact(name)
		if err != nil {
			t.Fatal(err)
		}
		n := (len(a.Deployed) - 2) / 2
		if n == 0 || n > 24576 {
			t.Errorf("%s: %d bytes of runtime code, limit 24576", name, n)
		}
		t.Logf("%s: %d bytes (%d to spare)", name, n, 24576-n)
	}
}

// TestDeployGas deploys the verifier (every prover and the entry contract)
// and checks that the whole deployment fits in one block of
// evm.DefaultGasLimit; it logs each contract's creation gas.
func TestDeployGas(t *testing.T) {
	v := newVerifier(t)
	e := v.EVM
	var total uint64
	for _, name := range append(append([]string(nil), Provers...), "OneStepVerifier") {
		c, err := e.Deploy(name, deployArgs(v, name)...)
		if err != nil {
			t.Fatal(err)
		}
		if c.DeployGas == 0 {
			t.Errorf("%s: no creation gas measured", name)
		}
		total += c.DeployGas
		t.Logf("%s: %d gas", name, c.DeployGas)
	}
	t.Logf("the whole verifier: %d gas", total)
	if total > evm.DefaultGasLimit {
		t.Errorf("deploying the verifier takes %d gas, over one %d-gas block", total, evm.DefaultGasLimit)
	}
}

// deployArgs are the constructor arguments of contract name: the entry
// contract takes the provers' addresses, in Provers order.
func deployArgs(v *Verifier, name string) []any {
	if name != "OneStepVerifier" {
		return nil
	}
	args := make([]any, len(Provers))
	for i, p := range Provers {
		args[i] = v.Provers[p]
	}
	return args
}
