package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/refereevm/referee/diff"
)

const regressDir = "../../fuzz/testdata/regress/"

// hasWasmtime reports whether this binary has the wasmtime engine (cgo).
func hasWasmtime() bool { return slices.Contains(diff.AllEngineNames(), "wasmtime") }

// TestDiffCommand checks referee diff's exit codes and key lines: the
// known wazero bugs diverge naming wazero (exit 1), agreeing engines exit
// 0, and every kind of bad input exits 2 with one line naming the file or
// flag.
func TestDiffCommand(t *testing.T) {
	f1 := regressDir + "F1-active-data-not-dropped.wasm"
	mods := "../../diff/testdata/modules/"
	agree := "reference,wazero-interp"
	if hasWasmtime() {
		agree = "reference,wasmtime"
	}
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls.json")
	os.WriteFile(calls, []byte(`{"calls": [{"invoke": "twice", "args": ["i32:20"]}, {"exportIndex": 0, "args": [4294967295]}]}`), 0o644)
	badCalls := filepath.Join(dir, "bad.json")
	os.WriteFile(badCalls, []byte(`{"calls": [{"invoke": "twice", "exportIndex": 0}]}`), 0o644)
	tests := []struct {
		name   string
		args   []string
		code   int
		want   []string // lines of stdout (or stderr for exit 2)
		unwant []string
	}{
		{name: "F1 all", code: exitNo, args: []string{"diff", f1, "--invoke", "init", "--engines", "all"},
			want: []string{"DIVERGENCE at call 0 init()", "signature trap-vs-ok/status/memory.init", "  wazero-interp, wazero-compiler: ok i32:97"}},
		{name: "F1 agree", code: exitOK, args: []string{"diff", f1, "--invoke", "init", "--engines", agree},
			want: []string{"call 0 init(): trap out of bounds memory access", "all 2 engines agree"}},
		{name: "F5 instantiate", code: exitNo, args: []string{"diff", regressDir + "F5-active-elem-overflow-skipped.wasm", "--instantiate"},
			want: []string{"DIVERGENCE at instantiate", "signature trap-vs-ok/instantiate.status"}},
		{name: "hidden memory", code: exitNo, args: []string{"diff", mods + "hidden-memory.wasm", "--invoke", "init", "--engines", "reference,wazero-compiler"},
			want: []string{"signature memory/memory.hash", "memory: first difference at byte 0x64: reference has 0x00, wazero-compiler has 0x61"}},
		{name: "link", code: exitOK, args: []string{"diff", mods + "import.wasm", "--link", "math=" + mods + "adder.wasm", "--calls", calls},
			want: []string{"call 0 twice(i32:20): ok i32:40", "call 1 twice(i32:-1): ok i32:-2", "all 4 engines agree"}},
		{name: "start unexported", code: exitOK, args: []string{"diff", mods + "start-global.wasm", "--instantiate"},
			want: []string{"instantiate: ok (globals 1, memory 1 pages, tables 1)"}},
		{name: "narrow", code: exitNo, args: []string{"diff", mods + "hidden-memory.wasm", "--invoke", "init", "--engines", "reference,wazero-compiler", "--narrow"},
			want: []string{"narrowed (reference vs wazero-compiler, on a fresh instance):", "at       func[0] +0xa memory.init"}},
		{name: "unlinkable", code: exitBad, args: []string{"diff", mods + "import.wasm", "--instantiate"},
			want: []string{`referee diff: ../../diff/testdata/modules/import.wasm: unlinkable on every engine: link: unknown import "math"."add" (give --link NAME=M.wasm)`}},
		{name: "no file", code: exitBad, args: []string{"diff", "missing.wasm", "--instantiate"}, want: []string{"referee diff: open missing.wasm: no such file or directory"}},
		{name: "nothing to call", code: exitBad, args: []string{"diff", f1}, want: []string{"referee diff: nothing to call: give --invoke, --export-index, --calls or --instantiate"}},
		{name: "unknown export", code: exitBad, args: []string{"diff", f1, "--invoke", "nope"}, want: []string{`unknown function "nope" (exported functions: init)`}},
		{name: "bad argument", code: exitBad, args: []string{"diff", f1, "--invoke", "init i32:1"}, want: []string{`function "init" takes 0 arguments (), got 1`}},
		{name: "export index", code: exitBad, args: []string{"diff", f1, "--export-index", "3"}, want: []string{"export index 3: the module has 1 exports"}},
		{name: "bad calls", code: exitBad, args: []string{"diff", mods + "import.wasm", "--calls", badCalls}, want: []string{"calls[0]: want exactly one of invoke, export and exportIndex"}},
		{name: "unknown engine", code: exitBad, args: []string{"diff", f1, "--invoke", "init", "--engines", "reference,v9"}, want: []string{`--engines: unknown engine "v9"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, &out, &errb)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out.String(), errb.String())
			}
			text := out.String()
			if code == exitBad {
				text = errb.String()
				if strings.Count(text, "\n") != 1 {
					t.Errorf("stderr is not one line: %q", text)
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("output lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// TestDiffJSON checks referee diff --json by value: F1's divergence, its
// groups, and the observed state of every engine.
func TestDiffJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"diff", regressDir + "F1-active-data-not-dropped.wasm", "--invoke", "init", "--engines", "reference,wazero-interp,wazero-compiler", "--json"}, &out, &errb); code != exitNo {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var v struct {
		Agree      bool
		Observed   bool
		Steps      []struct{ Step string }
		Divergence struct {
			Step      int
			Class     string
			Signature string
			Groups    [][]string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if v.Agree || !v.Observed || len(v.Steps) != 2 || v.Steps[1].Step != "call 0 init()" || v.Divergence.Step != 1 ||
		v.Divergence.Signature != "trap-vs-ok/status/memory.init" ||
		!slices.EqualFunc(v.Divergence.Groups, [][]string{{"reference"}, {"wazero-interp", "wazero-compiler"}}, slices.Equal) {
		t.Errorf("json: %+v", v)
	}
}

// TestGateCommand checks referee gate: the regress modules differ between
// the reference machine and wazero (one difference per known bug F1-F6,
// exit 1), an engine against itself has none (exit 0), bad input exits 2.
func TestGateCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"gate", "--old", "reference", "--new", "wazero-compiler", "--json", regressDir, "../../examples/blocks"}, &out, &errb)
	if code != exitNo {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep struct {
		Stats       map[string]struct{ Inputs, Compared, Differences int }
		Differences []struct{ Kind, Input, Signature string }
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range rep.Differences {
		got = append(got, filepath.Base(strings.Fields(d.Input)[0])+" "+d.Signature)
	}
	want := []string{
		"F1-active-data-not-dropped.wasm trap-vs-ok/status/memory.init",
		"F2-passive-externref-elem-empty.wasm trap-vs-ok/status",
		"F3-typed-select-annotation-ignored.wasm rejected-by-engine/instantiate.status",
		"F4-call-to-function-with-bad-type-index.wasm engine-crash/instantiate.status",
		"F5-active-elem-overflow-skipped.wasm trap-vs-ok/instantiate.status",
		"F6-const-expr-mutable-global.wasm rejected-by-engine/instantiate.status",
	}
	if !slices.Equal(got, want) {
		t.Errorf("differences:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := rep.Stats["block"]; s.Inputs != 6 || s.Differences != 0 { // examples/blocks and its inline/ copies
		t.Errorf("block stats %+v", s)
	}
	out.Reset()
	if code := run([]string{"gate", "--old", "wazero-interp", "--new", "wazero-compiler", "../../examples/blocks", regressDir + "F1-active-data-not-dropped.wasm"}, &out, &errb); code != exitOK {
		t.Fatalf("interp vs compiler: exit %d: %s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "no behavioural difference") {
		t.Errorf("output:\n%s", out.String())
	}
	for _, args := range [][]string{
		{"gate", "--old", "reference", regressDir},
		{"gate", "--old", "reference", "--new", "wazero-compiler"},
		{"gate", "--old", "reference", "--new", "wazero-compiler", "missing-dir"},
		{"gate", "--old", "reference", "--new", "nope", regressDir},
	} {
		errb.Reset()
		if code := run(args, &out, &errb); code != exitBad || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

// TestExecEngine checks that check, diff, narrow, fuzz and gate take an
// engine outside the binary as exec:CMD: the wazero child built from this
// module (the same wazero as the built-in engines).
func TestExecEngine(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "wazerochild")
	if out, err := exec.Command("go", "build", "-o", bin, "../../remote/wazerochild").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	ex := "exec:" + bin + " compiler"
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"check", "../../examples/blocks/token.json", "--engines", "reference," + ex}, exitOK, "all 2 engines agree; post-state commitment 0xe819613cba3a285bea9975ec05b286306a911726ec7e689fcb28616cae994ea4"},
		{[]string{"diff", regressDir + "F1-active-data-not-dropped.wasm", "--invoke", "init", "--engines", "reference," + ex}, exitNo, "signature trap-vs-ok/status/memory.init"},
		{[]string{"narrow", "--module", "../../testdata/workloads/sha256.wasm", "--func", "run", "--engines", "planted-op:i32.add@18000," + ex, "-o", filepath.Join(t.TempDir(), "p.bin"), "i32:1000", "i32:1"}, exitOK, "i32.add"},
		{[]string{"fuzz", "--engines", "reference," + ex, "--execs", "20", "--progress", "0", "--corpus", t.TempDir()}, exitOK, "20 execs"},
		{[]string{"gate", "--old", "wazero-compiler", "--new", ex, "../../examples/blocks", regressDir}, exitOK, "no behavioural difference"},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(tc.args, &out, &errb); code != tc.code || !strings.Contains(out.String(), tc.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, tc.code, tc.want, out.String(), errb.String())
			}
		})
	}
}
