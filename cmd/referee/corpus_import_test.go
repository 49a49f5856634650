package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/fuzz"
	"github.com/refereevm/referee/fuzz/ossfuzz"
)

// divergingInput returns FuzzDifferential bytes whose module diverges on
// reference,planted:i32.rotl (the first of a few seeds that does).
func divergingInput(t *testing.T) []byte {
	t.Helper()
	p, err := corpus.NewPlantedOp("i32.rotl")
	if err != nil {
		t.Fatal(err)
	}
	o := corpus.NewDiffOracle([]diff.Engine{diff.Reference{}, p})
	o.GasLimit = fuzzGas
	for seed := uint64(1); seed < 400; seed++ {
		s := fuzz.NewSeedSource(seed)
		data := make([]byte, 600)
		for i := range data {
			data[i] = s.Byte()
		}
		m, calls, err := fuzz.DifferentialCalls(data)
		if err != nil {
			t.Fatal(err)
		}
		if d, err := o.Check(context.Background(), m, calls); err == nil && d != nil {
			return data
		}
	}
	t.Fatal("no seed of 1..400 reaches the planted i32.rotl case")
	return nil
}

var storedRE = regexp.MustCompile(`stored as finding ([0-9a-f]{64})`)

// TestCorpusImport is issue 16's Done-when 2 at the command line: a
// libFuzzer crash file of FuzzDifferential (in the encoding its binary
// reads) is imported as a minimized finding that corpus replay reproduces
// (exit 1); importing it again, or the same input as a go test -fuzz
// failure file, stores nothing new.
func TestCorpusImport(t *testing.T) {
	data := divergingInput(t)
	dir := t.TempDir()
	lib, err := ossfuzz.Encode([]ossfuzz.Value{{Type: "[]byte", V: data}})
	if err != nil {
		t.Fatal(err)
	}
	crash := filepath.Join(dir, "fuzz_differential-crash-0123abcd")
	if err := os.WriteFile(crash, lib, 0o644); err != nil {
		t.Fatal(err)
	}
	goFail := filepath.Join(dir, "testdata", "fuzz", "FuzzDifferential", "582528ddfad69eb5")
	os.MkdirAll(filepath.Dir(goFail), 0o755)
	if err := os.WriteFile(goFail, []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)), 0o644); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "findings")
	engines := "reference,planted:i32.rotl"

	code, out, errs := cli("corpus", "import", "--corpus", store, "--engines", engines, crash)
	if code != exitOK {
		t.Fatalf("import exit %d: %s %s", code, out, errs)
	}
	m := storedRE.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "(FuzzDifferential)") {
		t.Fatalf("import did not store a finding of FuzzDifferential:\n%s", out)
	}
	id := m[1]
	f, err := corpus.ReadDir(store)
	if err != nil || len(f) != 1 || f[0].ID != id || f[0].Minimized == nil || f[0].Origin != "import" {
		t.Fatalf("store after import: %+v, %v", f, err)
	}
	if f[0].Minimized.Size >= f[0].Size {
		t.Errorf("minimized to %d of %d bytes", f[0].Minimized.Size, f[0].Size)
	}
	code, out, _ = cli("corpus", "replay", "--corpus", store, id[:12])
	if code != exitNo || !strings.Contains(out, "(as stored)") {
		t.Fatalf("replay of the imported finding: exit %d\n%s", code, out)
	}
	code, out, _ = cli("corpus", "replay", "--corpus", store, "--engines", "reference,wazero-interp", id[:12])
	if code != exitOK {
		t.Fatalf("replay on correct engines: exit %d\n%s", code, out)
	}

	before, _ := os.ReadFile(filepath.Join(store, id+".json"))
	for _, again := range []string{crash, goFail} {
		code, out, errs = cli("corpus", "import", "--corpus", store, "--engines", engines, again)
		if code != exitOK || !strings.Contains(out, "already stored as finding "+id) {
			t.Fatalf("importing %s again: exit %d\n%s%s", again, code, out, errs)
		}
	}
	after, _ := os.ReadFile(filepath.Join(store, id+".json"))
	if string(before) != string(after) {
		t.Fatal("importing again rewrote the finding")
	}

	// --json, and a file the engines agree on.
	code, out, _ = cli("corpus", "import", "--corpus", store, "--engines", "reference,wazero-interp", "--json", crash)
	var res []importResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res) != 1 || res[0].Status != "agree" || code != exitNothing {
		t.Fatalf("import on agreeing engines: exit %d, %v, %s", code, err, out)
	}
}

// TestCorpusImportErrors: inputs import cannot use end in exit 2 with one
// line naming the file and what is wrong.
func TestCorpusImportErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "crash-deadbeef")
	os.WriteFile(junk, []byte{1, 2, 3}, 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{junk}, "--target"},
		{"not a module target", []string{"--target", "FuzzProof", junk}, "not modules"},
		{"too short for the target", []string{"--target", "FuzzDifferential", junk}, "libFuzzer input"},
		{"missing file", []string{filepath.Join(dir, "nope")}, "nope"},
		{"no files", nil, "crash files"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"corpus", "import", "--corpus", filepath.Join(dir, "f"), "--engines", "reference,wazero-interp"}, tc.args...)
			code, out, errs := cli(args...)
			if code != exitBad || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", code, out, errs, tc.want)
			}
		})
	}
}

// TestCorpusMerge merges two campaigns' findings directories: one finding
// per signature, every one replays, and merging again keeps everything.
func TestCorpusMerge(t *testing.T) {
	dir := t.TempDir()
	var srcs []string
	sigs := map[string]bool{}
	for _, seed := range []string{"1", "2"} {
		d := filepath.Join(dir, "machine"+seed)
		code, out, errs := cli("fuzz", "--engines", "reference,planted:i32.rotl", "--workers", "2", "--seed", seed,
			"--execs", "120", "--corpus", d, "--progress", "0", "--minimize-tries", "100")
		if code != exitNo { // the campaign finds the planted bug: exit 1
			t.Fatalf("fuzz exit %d: %s", code, errs)
		}
		for _, m := range regexp.MustCompile(`(?m)^(\S+): \d+ modules`).FindAllStringSubmatch(out, -1) {
			sigs[m[1]] = true
		}
		srcs = append(srcs, d)
	}
	store := filepath.Join(dir, "merged")
	code, out, errs := cli(append([]string{"corpus", "merge", "--corpus", store}, srcs...)...)
	if code != exitOK {
		t.Fatalf("merge exit %d: %s", code, errs)
	}
	fs, err := corpus.ReadDir(store)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range fs {
		if seen[f.Signature] {
			t.Errorf("signature %s stored twice", f.Signature)
		}
		seen[f.Signature] = true
		if code, out, _ := cli("corpus", "replay", "--corpus", store, f.ID); code != exitNo {
			t.Errorf("merged finding %s does not replay: exit %d\n%s", f.ID[:16], code, out)
		}
	}
	for s := range sigs {
		if !seen[s] {
			t.Errorf("signature %s of a campaign is missing after the merge", s)
		}
	}
	if !strings.Contains(out, fmt.Sprintf("%d signatures: %d added", len(seen), len(seen))) {
		t.Errorf("merge summary:\n%s", out)
	}
	code, out, _ = cli(append([]string{"corpus", "merge", "--corpus", store, "--json"}, srcs...)...)
	var acts []corpus.MergeAction
	if err := json.Unmarshal([]byte(out), &acts); err != nil || code != exitOK {
		t.Fatalf("merge --json: exit %d, %v\n%s", code, err, out)
	}
	for _, a := range acts {
		if a.Action != "kept" {
			t.Errorf("second merge: %s %s", a.Signature, a.Action)
		}
	}
	if code, _, errs := cli("corpus", "merge", "--corpus", store, filepath.Join(dir, "missing")); code != exitBad || !strings.Contains(errs, "missing") {
		t.Errorf("merge of a missing directory: exit %d, %s", code, errs)
	}
}
