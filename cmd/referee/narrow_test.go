package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// TestNarrowCommand is Done-when 1 end to end: referee narrow names the
// planted instruction of a workload of more than 10^6 steps and writes a
// proof that referee verify accepts; agreeing engines exit 3, bad input 2.
func TestNarrowCommand(t *testing.T) {
	dir := t.TempDir()
	proof := filepath.Join(dir, "proof.bin")
	sha := "../../testdata/workloads/sha256.wasm"
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{name: "planted", code: exitOK,
			args: []string{"narrow", "--module", sha, "--func", "run", "--engines", "planted-op:i32.add@180000,wazero-compiler", "-o", proof, "i32:10000", "i32:1"},
			want: []string{"step     1408182 (of 1638824 / 1638824)", "at       func[1] +0x33e i32.add", "operands [0xf28241b0 0xb6fd743]", "planted-op:i32.add@180000 0xfdf218f2"}},
		{name: "block planted", code: exitOK,
			args: []string{"narrow", "../../examples/blocks/mixed.json", "--tx", "4", "--engines", "planted-op:i32.add@20000,wazero-compiler", "-o", filepath.Join(dir, "b.bin")},
			want: []string{"step     196401", "i32.add (offset in the metered contract"}},
		{name: "agree", code: exitNothing,
			args: []string{"narrow", "--module", sha, "--func", "run", "--engines", "wazero-interp,wazero-compiler", "i32:100", "i32:1"},
			want: []string{"agree"}},
		{name: "one engine", code: exitBad, args: []string{"narrow", "--module", sha, "--func", "run", "--engines", "wazero-interp", "i32:1", "i32:1"}},
		{name: "bad plant", code: exitBad, args: []string{"narrow", "--module", sha, "--func", "run", "--engines", "planted-op:f32.add@1,reference", "i32:1", "i32:1"}},
		{name: "wrong args", code: exitBad, args: []string{"narrow", "--module", sha, "--func", "run", "--engines", "reference,wazero-interp", "i64:1"}},
		{name: "first diverging tx", code: exitOK,
			args: []string{"narrow", "../../examples/blocks/mixed.json", "--engines", "planted-op:i32.add@20000,wazero-compiler", "-o", filepath.Join(dir, "c.bin")},
			want: []string{"mixed.json tx 4:", "step     196401", "i32.add"}},
		{name: "block agrees", code: exitNothing,
			args: []string{"narrow", "../../examples/blocks/token.json", "--engines", "reference,wazero-interp"},
			want: []string{"agree on all 9 transactions"}},
		{name: "tx out of range", code: exitBad, args: []string{"narrow", "../../examples/blocks/mixed.json", "--tx", "9", "--engines", "reference,wazero-interp"}},
		{name: "unlinkable", code: exitBad, args: []string{"narrow", "--module", "testdata/link.wasm", "--func", "f", "--engines", "reference,wazero-interp"}},
		{name: "plant never fires", code: exitNothing,
			args: []string{"narrow", "--module", sha, "--func", "run", "--engines", "reference,planted-op:i32.add@180000000", "i32:100", "i32:1"},
			want: []string{"agree", "the planted i32.add@180000000 never fired: the run executes i32.add 2598 times, fewer than 180000000"}},
		{name: "module needs func", code: exitBad, args: []string{"narrow", "--module", sha, "--engines", "reference,wazero-interp"}},
		{name: "k 1", code: exitBad, args: []string{"narrow", "--k", "1", "--module", sha, "--func", "run", "--engines", "reference,wazero-interp", "i32:1", "i32:1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(tc.args, &out, &errb); code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out.String(), errb.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
	var out, errb bytes.Buffer
	if code := run([]string{"verify", proof}, &out, &errb); code != exitOK || !strings.HasPrefix(out.String(), "ok ") {
		t.Fatalf("verify: exit %d: %s%s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"narrow", "--json", "--module", sha, "--func", "run", "--engines", "wazero-compiler,planted-op:i32.xor@90001", "-o", proof, "i32:10000", "i32:1"}, &out, &errb); code != exitOK {
		t.Fatalf("json: exit %d: %s", code, errb.String())
	}
	var v struct {
		Narrowed struct {
			Step uint64
			Op   string
		}
		Proof struct{ Bytes int }
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil || v.Narrowed.Step != 1469539 || v.Narrowed.Op != "i32.xor" || v.Proof.Bytes == 0 {
		t.Fatalf("json %+v (%v):\n%s", v, err, out.String())
	}
}

// TestNarrowReportsOnce: with the reference as engine A, the result line
// names it once.
func TestNarrowReportsOnce(t *testing.T) {
	code, stdout, stderr := cli("narrow", "--module", "../../testdata/workloads/sha256.wasm", "--func", "run",
		"--engines", "reference,planted-op:i32.add@180000", "-o", filepath.Join(t.TempDir(), "p.bin"), "i32:10000", "i32:1")
	if code != exitOK || strings.Count(stdout, "reference 0x") != 1 {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
}

// TestNarrowWriteModule: --write-module writes the metered contract a
// block transaction is narrowed in, and the printed offset is the named
// instruction of that module.
func TestNarrowWriteModule(t *testing.T) {
	dir := t.TempDir()
	mod := filepath.Join(dir, "metered.wasm")
	code, stdout, stderr := cli("narrow", "--json", "../../examples/blocks/mixed.json", "--tx", "4",
		"--engines", "planted-op:i32.add@20000,wazero-compiler", "-o", filepath.Join(dir, "p.bin"), "--write-module", mod)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var v struct {
		Narrowed struct {
			Offset  uint32
			Op      string
			Metered bool
		}
		Module string
	}
	if err := json.Unmarshal([]byte(stdout), &v); err != nil || !v.Narrowed.Metered || v.Module != mod {
		t.Fatalf("json %+v (%v):\n%s", v, err, stdout)
	}
	bin, err := os.ReadFile(mod)
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasm.Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	if at := bin[m.CodeSectionOffset+v.Narrowed.Offset]; wasm.Opcode(at) != wasm.OpI32Add || v.Narrowed.Op != "i32.add" {
		t.Errorf("byte at code offset %#x is %#x, result names %s", v.Narrowed.Offset, at, v.Narrowed.Op)
	}
}

// TestNarrowEmptyExportName: --func "" names the export called "", as
// referee run accepts it.
func TestNarrowEmptyExportName(t *testing.T) {
	m := &wasm.Module{
		Types:   []wasm.FuncType{{Results: []wasm.ValType{wasm.I32}}},
		Funcs:   []uint32{0},
		Exports: []wasm.Export{{Name: "", Kind: wasm.ExternFunc}},
		Codes:   []wasm.Code{{Body: []byte{byte(wasm.OpI32Const), 7, byte(wasm.OpEnd)}}},
	}
	path := filepath.Join(t.TempDir(), "empty-name.wasm")
	if err := os.WriteFile(path, wasm.Encode(m), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := cli("run", path, ""); code != exitOK || stdout != "i32:7\n" {
		t.Fatalf("run: exit %d %q %q", code, stdout, stderr)
	}
	if code, stdout, stderr := cli("narrow", "--module", path, "--func", "", "--engines", "reference,wazero-interp"); code != exitNothing || !strings.Contains(stdout, "agree") {
		t.Fatalf("narrow: exit %d %q %q", code, stdout, stderr)
	}
}
