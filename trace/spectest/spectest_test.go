package spectest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/refereevm/referee/trace"
)

// specDir is the WebAssembly 2.0 core suite as converted by wast2json.
const specDir = "../../testdata/spectest/wasm-2.0"

// The suites and their counts, fixed by the test data: every command is
// run, and exactly the text-format ones are skipped.
var suites = []struct {
	dir                    string
	commands, textCommands int
}{
	{specDir, 28018, 581},
	{"../../testdata/spectest/wasm-2.0-simd", 25988, 510},
}

// TestSpec is the spec gate of the repository: every non-text command of
// the WebAssembly 2.0 core suite and of its SIMD part must pass on the
// reference machine. One subtest per .wast file; each failure is reported
// with its line.
func TestSpec(t *testing.T) {
	for _, s := range suites {
		t.Run(filepath.Base(s.dir), func(t *testing.T) { specSuite(t, s.dir, s.commands, s.textCommands) })
	}
}

func specSuite(t *testing.T, specDir string, suiteCommands, suiteTextCmds int) {
	files, err := CommandFiles(specDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no command files in %s", specDir)
	}
	var total Result
	for _, f := range files {
		res, err := RunFile(f, Options{})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		total.Passed += res.Passed
		total.Failed += res.Failed
		total.Skipped += res.Skipped
		t.Run(res.Source, func(t *testing.T) {
			const maxReported = 25
			for i, fl := range res.Failures {
				if i == maxReported {
					t.Errorf("... and %d more failures", len(res.Failures)-maxReported)
					break
				}
				t.Errorf("%s:%d: %s: %s", res.Source, fl.Line, fl.Command, fl.Msg)
			}
			for _, n := range res.Notes {
				t.Logf("note %s:%d: %s: %s", res.Source, n.Line, n.Command, n.Msg)
			}
		})
	}
	t.Logf("%d passed, %d failed, %d skipped", total.Passed, total.Failed, total.Skipped)
	if n := total.Passed + total.Failed + total.Skipped; n != suiteCommands {
		t.Errorf("ran %d commands, the suite has %d", n, suiteCommands)
	}
	if total.Skipped != suiteTextCmds {
		t.Errorf("skipped %d commands, want exactly the %d text-format ones", total.Skipped, suiteTextCmds)
	}
}

// Hand-made binaries for command-file fixtures.
var (
	wasmHeader = []byte("\x00asm\x01\x00\x00\x00")
	// badVersion is malformed: binary version 2.
	badVersion = []byte("\x00asm\x02\x00\x00\x00")
	// badBody is well-formed but invalid: (func (param i32) (result i32))
	// whose body is only end, so it returns nothing.
	badBody = append(append([]byte{}, wasmHeader...),
		0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, // type section
		0x03, 0x02, 0x01, 0x00, // function section
		0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b) // code section
)

// Two linked modules for the machine tests:
//
//	addSpin: (module
//	  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
//	  (func (export "spin") (loop (br 0))))
//	add3: (module
//	  (import "m" "add" (func $add (param i32 i32) (result i32)))
//	  (func (export "add3") (param i32) (result i32) local.get 0 i32.const 3 call $add))
var (
	addSpin = []byte("\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x0a\x02\x60\x02\x7f\x7f\x01\x7f\x60\x00\x00\x03\x03\x02\x00\x01\x07\x0e\x02\x03\x61\x64\x64\x00\x00\x04\x73\x70\x69\x6e\x00\x01\x0a\x11\x02\x07\x00\x20\x00\x20\x01\x6a\x0b\x07\x00\x03\x40\x0c\x00\x0b\x0b")
	add3    = []byte("\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x0c\x02\x60\x02\x7f\x7f\x01\x7f\x60\x01\x7f\x01\x7f\x02\x09\x01\x01\x6d\x03\x61\x64\x64\x00\x00\x03\x02\x01\x01\x07\x08\x01\x04\x61\x64\x64\x33\x00\x01\x0a\x0a\x01\x08\x00\x20\x00\x41\x03\x10\x00\x0b")
)

// writeFixture writes a command file and its modules to a new directory
// and returns the command file's path.
func writeFixture(t *testing.T, name, commands string, modules map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for fn, b := range modules {
		if err := os.WriteFile(filepath.Join(dir, fn), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name)
	doc := `{"source_filename": "x.wast", "commands": [` + commands + `]}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunFileDecodeOnly pins the bookkeeping of the commands that need no
// machine: malformed and invalid binary modules and text-format modules;
// a SIMD file is run like any other.
func TestRunFileDecodeOnly(t *testing.T) {
	modules := map[string][]byte{"version.wasm": badVersion, "body.wasm": badBody, "empty.wasm": wasmHeader}
	const cmds = `
		{"type": "assert_malformed", "line": 1, "filename": "version.wasm", "module_type": "binary", "text": "unknown binary version"},
		{"type": "assert_invalid", "line": 2, "filename": "body.wasm", "module_type": "binary", "text": "type mismatch"},
		{"type": "assert_malformed", "line": 3, "filename": "x.3.wat", "module_type": "text", "text": "unexpected token"},
		{"type": "assert_invalid", "line": 4, "filename": "empty.wasm", "module_type": "binary", "text": "type mismatch"},
		{"type": "assert_malformed", "line": 5, "filename": "missing.wasm", "module_type": "binary", "text": "unexpected end"},
		{"type": "assert_return", "line": 6, "action": {"type": "invoke", "field": "f", "args": []}, "expected": []},
		{"type": "frobnicate", "line": 7}`
	tests := []struct {
		name                    string
		file                    string
		passed, failed, skipped int
		failedLines             []int
	}{
		{name: "plain", file: "x.json", passed: 2, failed: 4, skipped: 1, failedLines: []int{4, 5, 6, 7}},
		{name: "simd", file: "simd_x.json", passed: 2, failed: 4, skipped: 1, failedLines: []int{4, 5, 6, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := RunFile(writeFixture(t, tt.file, cmds, modules), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Passed != tt.passed || res.Failed != tt.failed || res.Skipped != tt.skipped {
				t.Errorf("got %d/%d/%d passed/failed/skipped, want %d/%d/%d", res.Passed, res.Failed, res.Skipped, tt.passed, tt.failed, tt.skipped)
			}
			var lines []int
			for _, f := range res.Failures {
				lines = append(lines, f.Line)
			}
			if !slices.Equal(lines, tt.failedLines) {
				t.Errorf("failed lines %v, want %v (%v)", lines, tt.failedLines, res.Failures)
			}
		})
	}
}

// TestRunFileMachine runs linking, returns, traps, link errors and a
// runaway call on the machine: the runaway call fails with the budget
// message and the machine is rebuilt with its modules and registrations,
// so the commands after it still pass.
func TestRunFileMachine(t *testing.T) {
	modules := map[string][]byte{"a.wasm": addSpin, "b.wasm": add3}
	const cmds = `
		{"type": "module", "line": 1, "name": "$A", "filename": "a.wasm"},
		{"type": "register", "line": 2, "as": "m"},
		{"type": "assert_return", "line": 3, "action": {"type": "invoke", "field": "add", "args": [{"type": "i32", "value": "4294967295"}, {"type": "i32", "value": "2"}]}, "expected": [{"type": "i32", "value": "1"}]},
		{"type": "assert_return", "line": 4, "action": {"type": "invoke", "field": "add", "args": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "2"}]}, "expected": [{"type": "i32", "value": "4"}]},
		{"type": "assert_unlinkable", "line": 5, "filename": "b.wasm", "module_type": "binary", "text": "unknown import"},
		{"type": "assert_trap", "line": 6, "action": {"type": "invoke", "field": "add", "args": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "2"}]}, "text": "unreachable", "expected": []},
		{"type": "action", "line": 7, "action": {"type": "invoke", "field": "spin", "args": []}, "expected": []},
		{"type": "module", "line": 8, "filename": "b.wasm"},
		{"type": "assert_return", "line": 9, "action": {"type": "invoke", "field": "add3", "args": [{"type": "i32", "value": "4"}]}, "expected": [{"type": "i32", "value": "7"}]},
		{"type": "assert_return", "line": 10, "action": {"type": "invoke", "module": "$A", "field": "add", "args": [{"type": "i32", "value": "4"}, {"type": "i32", "value": "4"}]}, "expected": [{"type": "i32", "value": "8"}]},
		{"type": "assert_return", "line": 11, "action": {"type": "invoke", "module": "$B", "field": "add", "args": []}, "expected": []}`
	// Lines 4, 5, 6 and 11 are wrong on purpose: line 5 expects a link
	// error although "m" is registered, line 11 names an unknown module.
	res, err := RunFile(writeFixture(t, "x.json", cmds, modules), Options{MaxSteps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line int
		msg  string
	}{
		{4, `invoke "add"(i32:1, i32:2): result 0: got i32:3, want i32:4`},
		{5, "b.wasm: instantiated, want link error \"unknown import\""},
		{6, `invoke "add"(i32:1, i32:2): returned [i32:3], want trap "unreachable"`},
		{7, `invoke "spin"(): still running after 1000 steps (the runner's budget); machine rebuilt`},
		{11, `invoke $B "add"(): no module $B`},
	}
	if len(res.Failures) != len(want) {
		t.Fatalf("%d failures, want %d: %+v", len(res.Failures), len(want), res.Failures)
	}
	for i, w := range want {
		if f := res.Failures[i]; f.Line != w.line || f.Msg != w.msg {
			t.Errorf("failure %d: line %d %q\nwant line %d %q", i, f.Line, f.Msg, w.line, w.msg)
		}
	}
	if res.Passed != 6 {
		t.Errorf("passed %d, want 6", res.Passed)
	}
}

func TestRunFileBadJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(path, []byte(`{"commands": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := RunFile(path, Options{}); err == nil {
		t.Error("no error for a truncated command file")
	}
}

// TestPanicIsAFailure checks that a panic inside the machine becomes one
// failed command naming where it happened. A runner without a machine
// panics in (*trace.Machine).Register.
func TestPanicIsAFailure(t *testing.T) {
	r := &runner{last: &trace.Instance{}, named: map[string]*trace.Instance{}, brokenAt: map[string]int{}}
	out := r.safeExec(command{Type: "register", Line: 9, As: "m"})
	if out.kind != failed {
		t.Fatalf("outcome %v, want failed", out)
	}
	if !strings.HasPrefix(out.msg, "panic: ") || !strings.Contains(out.msg, "Register") {
		t.Errorf("msg %q: want the panic and the function that panicked", out.msg)
	}
}

func TestCommandFilesSorted(t *testing.T) {
	files, err := CommandFiles(specDir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(files); i++ {
		if files[i-1] >= files[i] {
			t.Fatalf("files not in lexical order: %s before %s", files[i-1], files[i])
		}
	}
	one, err := CommandFiles(filepath.Join(specDir, "fac.json"))
	if err != nil || len(one) != 1 {
		t.Errorf("a file path: got %v, %v", one, err)
	}
	if _, err := CommandFiles(filepath.Join(specDir, "missing")); err == nil {
		t.Error("a missing path: no error")
	}
}

func ExampleRunFile() {
	res, err := RunFile("../../testdata/spectest/wasm-2.0/comments.json", Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Source, res.Passed+res.Failed, res.Skipped)
	// Output: comments.wast 8 0
}
