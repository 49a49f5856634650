package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, bytes.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const vector = "../../../dispute/testdata/fac-rec-step1.proof"

// TestVerify pins the exit codes and outputs of verify on the proof-format
// test vector (docs/proof-format.md §7), a flipped copy and a missing file.
func TestVerify(t *testing.T) {
	p, err := os.ReadFile(vector)
	if err != nil {
		t.Fatal(err)
	}
	const pre = "0xedd9e96d5518c25b57a515285059079d647e6e44bb8b5b4377ba3b1e7b336820"
	const post = "0xe4d0edc618b827cfefe7bc8c0d5237266af48f5f891b4a9f983daa81eed9eabe"
	code, out, _ := runCLI(t, nil, "verify", vector)
	if code != exitOK || !strings.HasPrefix(out, "ok "+pre+" -> "+post+" gas ") {
		t.Fatalf("exit %d, %q", code, out)
	}
	code, out, _ = runCLI(t, nil, "verify", "--json", vector)
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitOK {
		t.Fatalf("exit %d, %q: %v", code, out, err)
	}
	if got["ok"] != true || got["pre"] != pre || got["post"] != post || got["op"] != "local.get" || got["step"] != 1.0 || got["gas"].(float64) < 21000 {
		t.Fatalf("json %v", got)
	}
	flipped := append([]byte(nil), p...)
	flipped[700] ^= 0x10
	code, out, _ = runCLI(t, flipped, "verify", "-")
	if code != exitNo || !strings.HasPrefix(out, "rejected: proof rejected: ") {
		t.Fatalf("flipped: exit %d, %q", code, out)
	}
	code, out, _ = runCLI(t, flipped, "verify", "--json", "-")
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitNo || got["ok"] != false || got["error"] == "" {
		t.Fatalf("flipped json: exit %d, %q", code, out)
	}
	code, _, errs := runCLI(t, nil, "verify", filepath.Join(t.TempDir(), "missing.bin"))
	if code != exitBad || !strings.Contains(errs, "missing.bin") {
		t.Fatalf("missing file: exit %d, %q", code, errs)
	}
	if code, _, _ = runCLI(t, nil, "verify", "--pre", "0x12", vector); code != exitBad {
		t.Fatalf("bad --pre: exit %d", code)
	}
	if code, out, _ = runCLI(t, nil, "verify", "--pre", post, vector); code != exitNo {
		t.Fatalf("other --pre: exit %d, %q", code, out)
	}
}

// TestPlay plays small games through the CLI: the honest side wins with
// gas per move, equal claims exit 3, bad input exits 2.
func TestPlay(t *testing.T) {
	code, out, errs := runCLI(t, nil, "play", "--json", "--k", "4", "--sim", "1000", "--defender", "wrong-final", "--challenger", "honest")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var g struct {
		Rounds []struct {
			Side, Method string
			Gas          uint64
		}
		Result struct{ Winner, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &g); err != nil {
		t.Fatal(err)
	}
	if g.Result.Winner != "challenger" || g.Result.Reason != "proof invalid" || len(g.Rounds) != 11 {
		t.Fatalf("result %+v, %d rounds", g.Result, len(g.Rounds))
	}
	for _, r := range g.Rounds {
		if r.Gas < 21000 {
			t.Fatalf("round %+v without gas", r)
		}
	}
	code, out, _ = runCLI(t, nil, "play", "--k", "16", "--defender", "forge", "--challenger", "honest",
		"../../../testdata/spectest/wasm-2.0/fac.0.wasm", "fac-iter", "i64:10")
	if code != exitOK || !strings.Contains(out, "challenger wins (defender loses: proof invalid)") || !strings.Contains(out, "proof (") {
		t.Fatalf("forge: exit %d\n%s", code, out)
	}
	if code, out, _ = runCLI(t, nil, "play", "--sim", "100", "--challenger", "honest"); code != exitNothing || !strings.HasPrefix(out, "no dispute") {
		t.Fatalf("honest vs honest: exit %d, %q", code, out)
	}
	for _, args := range [][]string{
		{"play", "--k", "1", "--sim", "10"},
		{"play", "--proof", "snapshot", "../../../testdata/spectest/wasm-2.0/fac.0.wasm", "fac-iter", "i64:3"},
		{"play", "--sim", "10", "x.wasm", "f"},
		{"play", "--defender", "sneaky", "--sim", "10"},
		{"play", "no-such.wasm", "f"},
	} {
		if code, _, errs = runCLI(t, nil, args...); code != exitBad || !strings.HasPrefix(errs, "referee-onchain play: ") {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
}

// TestProveThenVerifyOnChain is issue 11's pipeline: `referee prove … --step
// N -o p.bin`, then `referee-onchain verify p.bin` prints ok with the root
// `referee root … --step N+1` prints — for the spec fac module, a workload,
// a host call and a memory store — and a flipped proof is rejected. It
// builds the main module's referee binary.
func TestProveThenVerifyOnChain(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the referee binary")
	}
	dir := t.TempDir()
	referee := filepath.Join(dir, "referee")
	build := exec.Command("go", "build", "-o", referee, "./cmd/referee")
	build.Dir = "../../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/referee: %v\n%s", err, out)
	}
	td := "../../../testdata/"
	for _, c := range []struct {
		name, op string
		call     []string
		step     string
	}{
		{"fac", "local.get", []string{td + "spectest/wasm-2.0/fac.0.wasm", "fac-rec", "i64:25"}, "0"},
		{"workload", "i32.add", []string{td + "workloads/sha256.wasm", "run", "i32:1000", "i32:1"}, "45"},
		{"store", "i32.store8", []string{td + "workloads/sha256.wasm", "run", "i32:1000", "i32:1"}, "42"},
		{"host call", "call", []string{td + "spectest/wasm-2.0/imports.3.wasm", "print_i32", "i32:13"}, "1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name+".bin")
			args := append([]string{"prove", "--json", "--step", c.step, "-o", p}, c.call...)
			out, err := exec.Command(referee, args...).Output()
			if err != nil {
				t.Fatalf("referee %v: %v", args, err)
			}
			var proved struct{ Op string }
			if err := json.Unmarshal(out, &proved); err != nil || proved.Op != c.op {
				t.Fatalf("referee prove: %s (want op %s)", out, c.op)
			}
			next := map[string]string{"0": "1", "45": "46", "42": "43", "1": "2"}[c.step]
			root, err := exec.Command(referee, append([]string{"root", "--step", next}, c.call...)...).Output()
			if err != nil {
				t.Fatal(err)
			}
			code, vout, verr := runCLI(t, nil, "verify", p)
			want := strings.TrimSpace(string(root))
			if code != exitOK || !strings.Contains(vout, " -> "+want+" gas ") {
				t.Fatalf("verify: exit %d, %q %s; referee root: %s", code, vout, verr, want)
			}
			t.Logf("%s (%s): %s", c.name, c.op, strings.TrimSpace(vout))
			b, _ := os.ReadFile(p)
			b[len(b)-1] ^= 1
			if code, vout, _ = runCLI(t, b, "verify", "-"); code != exitNo {
				t.Fatalf("flipped proof: exit %d, %q", code, vout)
			}
		})
	}
}
