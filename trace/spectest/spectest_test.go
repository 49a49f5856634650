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

// Counts of the 2.0 suite, fixed by the test data: every command is run,
// and exactly the text-format ones are skipped.
const (
	suiteCommands = 28018
	suiteTextCmds = 581
)

// TestSpec is the spec gate of the repository: every non-text command of
// the WebAssembly 2.0 core suite must pass on the reference machine. One
// subtest per .wast file; each failure is reported with its line.
func TestSpec(t *testing.T) {
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
// machine: malformed and invalid binary modules, text-format modules and
// SIMD files.
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
		{name: "simd", file: "simd_x.json", skipped: 7},
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
