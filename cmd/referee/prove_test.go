package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestProveVerifyRoot is issue 5's "done when" 1: prove at step N, verify
// prints ok with the post-root that root --step N+1 prints, for fac and a
// workload at several N; a damaged proof is rejected with exit 1.
func TestProveVerifyRoot(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name  string
		call  []string
		steps []string
	}{
		{"fac-rec", []string{facWasm, "fac-rec", "i64:25"}, []string{"0", "1", "50", "200", "306"}},
		{"sha256", []string{"../../testdata/workloads/sha256.wasm", "run", "i32:100", "i32:1"}, []string{"0", "777", "5000"}},
		{"indirect", []string{"../../testdata/workloads/indirect.wasm", "run", "i32:100", "i32:1"}, []string{"10", "3000"}},
		// step 2 calls spectest's print_i32: proven from a recorded host tape
		{"imports", []string{"testdata/imports.wasm", "g"}, []string{"0", "1", "2"}},
		// block transactions (issue 12): the metered contract and the host
		// ABI; steps 31, 135 and 281 of token tx 0 call the host
		// (storage_read, storage_write, log), 294 is its last step
		{"token-tx0", []string{"--tx", "0", blocksDir + "token.json"}, []string{"0", "31", "135", "281", "294"}},
		{"token-tx5", []string{blocksDir + "token.json", "--tx", "5"}, []string{"0", "100"}},
		{"mixed-tx4", []string{"--tx", "4", blocksDir + "mixed.json"}, []string{"654321"}},
	}
	for _, c := range cases {
		for _, n := range c.steps {
			t.Run(c.name+"/step="+n, func(t *testing.T) {
				p := filepath.Join(dir, c.name+n+".bin")
				code, out, errs := cli(append([]string{"prove", "--step", n, "-o", p, "--json"}, c.call...)...)
				if code != 0 {
					t.Fatalf("prove: exit %d: %s", code, errs)
				}
				var pr struct{ Pre, Post string }
				if err := json.Unmarshal([]byte(out), &pr); err != nil {
					t.Fatal(err)
				}
				code, out, errs = cli("verify", p)
				if want := "ok " + pr.Pre + " -> " + pr.Post + "\n"; code != 0 || out != want {
					t.Fatalf("verify: exit %d, %q (stderr %q), want %q", code, out, errs, want)
				}
				k, _ := strconv.Atoi(n)
				next := strconv.Itoa(k + 1)
				code, out, _ = cli(append([]string{"root", "--step", next}, c.call...)...)
				if code != 0 || strings.TrimSpace(out) != pr.Post {
					t.Fatalf("root --step %s: exit %d, %q, want %s", next, code, out, pr.Post)
				}
				code, out, _ = cli("verify", "--pre", pr.Post, p)
				if code != 1 || !strings.HasPrefix(out, "rejected: ") {
					t.Fatalf("verify against the wrong pre-root: exit %d, %q", code, out)
				}
				b, _ := os.ReadFile(p)
				b[len(b)/2] ^= 0x10
				bad := p + ".bad"
				os.WriteFile(bad, b, 0o644)
				code, out, _ = cli("verify", bad)
				if code == 0 && strings.Contains(out, pr.Post) {
					t.Fatalf("damaged proof verifies to the honest post-root: %q", out)
				}
			})
		}
	}
	// a module importing functions is proven from a replayed tape, which
	// --json reports
	code, out, _ := cli("root", "--json", "testdata/imports.wasm", "g")
	var rj struct {
		HostTape  *int `json:"host_tape"`
		HostCalls *int `json:"host_calls"`
	}
	if err := json.Unmarshal([]byte(out), &rj); code != 0 || err != nil || rj.HostTape == nil || *rj.HostTape != 1 || *rj.HostCalls != 1 {
		t.Errorf("root --json of imports.wasm: exit %d, %s", code, out)
	}
	if code, out, _ := cli("root", "--json", facWasm, "fac-rec", "i64:3"); code != 0 || strings.Contains(out, "host_") {
		t.Errorf("root --json of fac: exit %d, %s", code, out)
	}
	if code, _, _ := cli("verify", filepath.Join(dir, "missing.bin")); code != 2 {
		t.Errorf("verify of a missing file: exit %d, want 2", code)
	}
	if code, _, _ := cli("prove", "--step", "100000", facWasm, "fac-rec", "i64:3"); code != 2 {
		t.Errorf("prove past the end: exit %d, want 2", code)
	}
}
