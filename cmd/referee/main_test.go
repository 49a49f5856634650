package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden trace files in testdata")

const (
	facWasm = "../../testdata/spectest/wasm-2.0/fac.0.wasm"
	facJSON = "../../testdata/spectest/wasm-2.0/fac.json"
	divWasm = "testdata/div.wasm"
)

// cli runs the CLI in-process, as main would.
func cli(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestCLI is the golden table in the style of geth's t8n_test.go: for
// each command line, the exit code and the exact stdout (or, where the
// output is long or an error, a substring of stdout or stderr).
func TestCLI(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    string // exact stdout, unless stdoutHas is set
		stdoutHas string
		stderrHas string // substring of stderr; stderr must otherwise be empty
	}{
		// Results.
		{name: "fac-rec", args: []string{"run", facWasm, "fac-rec", "i64:20"}, stdout: "i64:2432902008176640000\n"},
		{name: "fac-iter flags after", args: []string{"run", facWasm, "fac-iter", "i64:20", "--max-steps", "1000000"}, stdout: "i64:2432902008176640000\n"},
		{name: "fac-opt flags first", args: []string{"run", "--max-steps=1000000", facWasm, "fac-opt", "i64:0x14"}, stdout: "i64:2432902008176640000\n"},
		{name: "div", args: []string{"run", divWasm, "div", "i32:7", "i32:2"}, stdout: "i32:3\n"},
		{name: "div signed", args: []string{"run", divWasm, "div", "i32:-7", "i32:2"}, stdout: "i32:-3\n"},
		{name: "div hex", args: []string{"run", divWasm, "div", "i32:0xffffffff", "i32:1"}, stdout: "i32:-1\n"},
		{name: "swap floats", args: []string{"run", divWasm, "swap", "f32:1.5", "f64:-0"}, stdout: "f64:-0 (0x8000000000000000)\nf32:1.5 (0x3fc00000)\n"},
		{name: "nan bits kept", args: []string{"run", divWasm, "swap", "f32:0x7fc00001", "f64:0x7ff8000000000000"}, stdout: "f64:NaN (0x7ff8000000000000)\nf32:NaN (0x7fc00001)\n"},
		{name: "externref", args: []string{"run", divWasm, "ref", "externref:5"}, stdout: "externref:5\n"},
		{name: "externref null", args: []string{"run", divWasm, "ref", "externref:null"}, stdout: "externref:null\n"},
		{name: "json summary", args: []string{"run", "--json", divWasm, "div", "i32:7", "i32:2"}, stdoutHas: `"results":["i32:3"]`},
		// Traps: exit 1.
		{name: "div by zero", args: []string{"run", divWasm, "div", "i32:1", "i32:0"}, code: 1, stdout: "trap: integer divide by zero\n"},
		{name: "div overflow", args: []string{"run", divWasm, "div", "i32:-2147483648", "i32:-1"}, code: 1, stdout: "trap: integer overflow\n"},
		{name: "step limit", args: []string{"run", divWasm, "spin", "--max-steps", "100"}, code: 1, stdout: "trap: step limit exceeded\n"},
		{name: "fac step limit", args: []string{"run", "--max-steps", "10", facWasm, "fac-rec", "i64:20"}, code: 1, stdout: "trap: step limit exceeded\n"},
		{name: "start traps", args: []string{"run", "testdata/start.wasm", "f"}, code: 1, stdout: "trap: unreachable\n"},
		{name: "segment traps", args: []string{"run", "testdata/elemtrap.wasm", "f"}, code: 1, stdout: "trap: out of bounds table access (instantiation: elem[0], module offset 0x24)\n"},
		{name: "segment traps json", args: []string{"run", "--json", "testdata/elemtrap.wasm", "f"}, code: 1,
			stdout: `{"status":"trapped","steps":0,"trap":"out of bounds table access","segment":"elem[0]","moduleOffset":"0x24"}` + "\n"},
		{name: "spectest imports", args: []string{"run", "testdata/imports.wasm", "g"}, stdout: "i32:666\n"},
		{name: "json trap", args: []string{"run", divWasm, "div", "i32:1", "i32:0", "--json"}, code: 1, stdoutHas: `"status":"trapped"`},
		{name: "json backtrace", args: []string{"run", facWasm, "fac-rec", "i64:25", "--max-steps", "30", "--json"}, code: 1,
			stdoutHas: `"backtrace":[{"func":0,"offset":"0x8"},{"func":0,"offset":"0x16"},{"func":0,"offset":"0x16"},{"func":0,"offset":"0x16"}]`},
		// Bad input: exit 2, one line on stderr.
		{name: "truncated module", args: []string{"run", "testdata/truncated.wasm", "div", "i32:1", "i32:0"}, code: 2, stderrHas: "offset 0x"},
		{name: "unlinkable", args: []string{"run", "testdata/link.wasm", "f"}, code: 2, stderrHas: `link: unknown import "env"."missing"`},
		{name: "not wasm", args: []string{"run", "testdata/README.md", "div"}, code: 2, stderrHas: "magic header not detected"},
		{name: "missing module", args: []string{"run", "testdata/missing.wasm", "div"}, code: 2, stderrHas: "missing.wasm"},
		{name: "unknown function", args: []string{"run", divWasm, "nope"}, code: 2, stderrHas: `unknown function "nope" (exported functions: div, add, swap, spin, ref)`},
		{name: "export not a function", args: []string{"run", divWasm, "g"}, code: 2, stderrHas: `unknown function "g": the export is not a function`},
		{name: "too few args", args: []string{"run", divWasm, "div", "i32:1"}, code: 2, stderrHas: `function "div" takes 2 arguments (i32 i32), got 1`},
		{name: "wrong arg type", args: []string{"run", divWasm, "div", "i32:1", "i64:1"}, code: 2, stderrHas: "argument 2 is i64, want i32"},
		{name: "bad arg", args: []string{"run", divWasm, "div", "i32:1", "i32:one"}, code: 2, stderrHas: `argument "i32:one": not a 32-bit integer`},
		{name: "bad flag value", args: []string{"run", "--max-steps", "many", divWasm, "div"}, code: 2, stderrHas: "-max-steps"},
		{name: "unknown flag", args: []string{"run", divWasm, "div", "--fast"}, code: 2, stderrHas: "flag provided but not defined: -fast"},
		{name: "run without module", args: []string{"run"}, code: 2, stderrHas: "want MODULE.wasm FUNC"},
		// Usage.
		{name: "no args", args: nil, code: 2, stderrHas: "Usage:"},
		{name: "help", args: []string{"help"}, stdoutHas: "referee spec [--json] [-v]"},
		{name: "help run", args: []string{"help", "run"}, stdoutHas: "referee run [--max-steps N]"},
		{name: "run -h", args: []string{"run", "-h"}, stdoutHas: "referee run [--max-steps N]"},
		{name: "help unknown", args: []string{"help", "frob"}, code: 2, stderrHas: `unknown command "frob"`},
		{name: "unknown command", args: []string{"frob"}, code: 2, stderrHas: `unknown command "frob"`},
		// spec.
		{name: "spec fac", args: []string{"spec", facJSON}, stdout: "8 passed, 0 failed, 0 skipped\n"},
		{name: "spec decode only", args: []string{"spec", "testdata/spec-ok.json"}, stdout: "1 passed, 0 failed, 1 skipped\n"},
		{name: "spec failure", args: []string{"spec", "testdata/spec-fail.json"}, code: 1,
			stdout: "testdata/spec-fail.json: 3 passed, 1 failed, 1 skipped\n3 passed, 1 failed, 1 skipped\n"},
		{name: "spec failure -v", args: []string{"spec", "-v", "testdata/spec-fail.json"}, code: 1,
			stdoutHas: "  FAIL testdata/spec-fail.wast:3: assert_return: invoke \"div\"(i32:6, i32:3): result 0: got i32:2, want i32:3\n"},
		{name: "spec empty dir", args: []string{"spec", empty}, code: 3, stdout: "0 passed, 0 failed, 0 skipped\n"},
		{name: "spec missing", args: []string{"spec", "testdata/missing"}, code: 2, stderrHas: "missing"},
		{name: "spec bad json", args: []string{"spec", "testdata/div.wat"}, code: 2, stderrHas: "div.wat"},
		{name: "spec no path", args: []string{"spec"}, code: 2, stderrHas: "want at least one PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(tt.args...)
			if code != tt.code {
				t.Errorf("exit code: have %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			switch {
			case tt.stdoutHas != "":
				if !contains(stdout, tt.stdoutHas) {
					t.Errorf("stdout %q does not contain %q", stdout, tt.stdoutHas)
				}
			case stdout != tt.stdout:
				t.Errorf("stdout:\nhave %q\nwant %q", stdout, tt.stdout)
			}
			switch {
			case tt.stderrHas == "" && stderr != "":
				t.Errorf("unexpected stderr %q", stderr)
			case !contains(stderr, tt.stderrHas):
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderrHas)
			case tt.code == exitBad && tt.args != nil && strings.Count(stderr, "\n") != 1:
				t.Errorf("error output is not one line: %q", stderr)
			}
		})
	}
}

// TestSpecJSON checks the --json document of spec by value.
func TestSpecJSON(t *testing.T) {
	code, stdout, stderr := cli("spec", "--json", "-v", "testdata/spec-ok.json")
	if code != exitOK {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	var have specReport
	if err := json.Unmarshal([]byte(stdout), &have); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout)
	}
	want := specReport{
		Files:  []specFile{{File: "testdata/spec-ok.json", Source: "spec-ok.wast", Passed: 1, Skipped: 1}},
		Passed: 1, Skipped: 1,
	}
	if !reflect.DeepEqual(have, want) {
		t.Errorf("have %+v\nwant %+v", have, want)
	}
}

// traceRun runs "referee run --trace --json" and checks that the step
// objects are numbered 1..N and that N is the step count of the summary.
func traceRun(t *testing.T, args ...string) (steps []jsonStep, summary map[string]any) {
	t.Helper()
	code, stdout, stderr := cli(append([]string{"run", "--trace", "--json"}, args...)...)
	if code != exitOK && code != exitNo {
		t.Fatalf("exit code %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	for i, l := range lines[:len(lines)-1] {
		var s jsonStep
		dec := json.NewDecoder(strings.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
		if s.Step != uint64(i+1) {
			t.Fatalf("line %d is step %d", i+1, s.Step)
		}
		steps = append(steps, s)
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &summary); err != nil {
		t.Fatalf("summary %q: %v", lines[len(lines)-1], err)
	}
	if n, _ := summary["steps"].(float64); uint64(n) != uint64(len(steps)) {
		t.Errorf("%d step objects, summary says %v steps", len(steps), summary["steps"])
	}
	return steps, summary
}

// TestTraceStepCount is Done-when item 4: one JSON object per step, as
// many as the machine counted, for a return, a trap and a deep recursion.
func TestTraceStepCount(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status string
	}{
		{name: "add", args: []string{divWasm, "add", "i32:3", "i32:4"}, status: "done"},
		{name: "div by zero", args: []string{divWasm, "div", "i32:1", "i32:0"}, status: "trapped"},
		{name: "fac-rec", args: []string{facWasm, "fac-rec", "i64:20"}, status: "done"},
		{name: "fac-iter", args: []string{facWasm, "fac-iter", "i64:25"}, status: "done"},
		{name: "step limit", args: []string{"--max-steps", "50", divWasm, "spin"}, status: "trapped"},
		{name: "start function traps", args: []string{"testdata/start.wasm", "f"}, status: "trapped"},
		{name: "host call", args: []string{"testdata/imports.wasm", "g"}, status: "done"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, summary := traceRun(t, tt.args...)
			if summary["status"] != tt.status {
				t.Errorf("status %v, want %s", summary["status"], tt.status)
			}
			if len(steps) == 0 {
				t.Error("no steps traced")
			}
			// The text trace has the same steps, one per line, before the results.
			code, stdout, _ := cli(append([]string{"run", "--trace"}, tt.args...)...)
			if code != exitOK && code != exitNo {
				t.Fatalf("text trace: exit code %d", code)
			}
			if n := strings.Count(stdout, "\nstep=") + 1; n != len(steps) {
				t.Errorf("text trace has %d step lines, JSON trace %d", n, len(steps))
			}
		})
	}
}

// TestTraceGolden pins the exact trace of one small call in both formats.
func TestTraceGolden(t *testing.T) {
	for _, g := range []struct{ file, flag string }{
		{file: "add.trace.txt", flag: "--trace"},
		{file: "add.trace.jsonl", flag: "--json"},
	} {
		t.Run(g.file, func(t *testing.T) {
			args := []string{"run", "--trace", divWasm, "add", "i32:3", "i32:4"}
			if g.flag == "--json" {
				args = append(args, "--json")
			}
			code, stdout, stderr := cli(args...)
			if code != exitOK {
				t.Fatalf("exit code %d, stderr %q", code, stderr)
			}
			path := filepath.Join("testdata", g.file)
			if *update {
				if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if stdout != string(want) {
				t.Errorf("trace differs from %s:\nhave\n%s\nwant\n%s", path, stdout, want)
			}
		})
	}
}

func TestParseFlagsInterleaved(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		pos   []string
		steps uint64
		trace bool
	}{
		{name: "flags first", args: []string{"--trace", "--max-steps", "5", "m", "f", "i32:1"}, pos: []string{"m", "f", "i32:1"}, steps: 5, trace: true},
		{name: "flags last", args: []string{"m", "f", "i32:1", "--trace", "--max-steps=5"}, pos: []string{"m", "f", "i32:1"}, steps: 5, trace: true},
		{name: "flags between", args: []string{"m", "-trace", "f", "-max-steps", "5", "i32:1"}, pos: []string{"m", "f", "i32:1"}, steps: 5, trace: true},
		{name: "double dash", args: []string{"m", "--", "--trace"}, pos: []string{"m", "--trace"}},
		{name: "none", args: nil, pos: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("run", flag.ContinueOnError)
			steps := fs.Uint64("max-steps", 0, "")
			tr := fs.Bool("trace", false, "")
			var out, errb bytes.Buffer
			pos, _, ok := parseFlags(fs, runUsage, tt.args, &out, &errb)
			if !ok {
				t.Fatalf("not ok: %s", errb.String())
			}
			if !reflect.DeepEqual(pos, tt.pos) || *steps != tt.steps || *tr != tt.trace {
				t.Errorf("pos %q steps %d trace %v; want %q %d %v", pos, *steps, *tr, tt.pos, tt.steps, tt.trace)
			}
		})
	}
}

// TestHelpListsEveryFlag: every subcommand's -h (and help COMMAND) prints
// its usage and every flag with its default, and every --flag its usage
// names is one of them.
func TestHelpListsEveryFlag(t *testing.T) {
	flagRE := regexp.MustCompile(`--[a-z][a-z-]*`)
	for _, c := range commands() {
		for _, args := range [][]string{{c.name, "-h"}, {c.name, "--help"}, {"help", c.name}} {
			code, out, errs := cli(args...)
			if code != 0 || !strings.HasPrefix(out, c.usage) || errs != "" {
				t.Errorf("%v: exit %d, stderr %q, stdout does not start with the usage:\n%s", args, code, errs, out)
				continue
			}
			flags := out[len(c.usage):]
			if !strings.Contains(flags, "Flags of referee "+c.name+":") || !strings.Contains(flags, "(default ") {
				t.Errorf("%v: no flag list:\n%s", args, flags)
				continue
			}
			listed := map[string]bool{}
			for _, l := range strings.Split(flags, "\n") {
				if strings.HasPrefix(l, "  --") {
					name, _, _ := strings.Cut(strings.TrimPrefix(l, "  "), " ")
					listed[name] = true
				}
			}
			for _, f := range flagRE.FindAllString(c.usage, -1) {
				if !listed[f] {
					t.Errorf("%s: the usage names %s, -h does not list it", c.name, f)
				}
			}
		}
	}
}
