package ossfuzz

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseCorpusFile(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Value
	}{
		{"bytes", "go test fuzz v1\n[]byte(\"\\x00asm\\x01\")\n", []Value{{"[]byte", []byte("\x00asm\x01")}}},
		{"several", "go test fuzz v1\n[]byte(\"ab\")\nuint32(7)\nuint64(0xffffffffffffffff)\nint(-3)\nbool(true)\nbyte('x')\n",
			[]Value{{"[]byte", []byte("ab")}, {"uint32", uint64(7)}, {"uint64", ^uint64(0)}, {"int", int64(-3)}, {"bool", true}, {"byte", uint64('x')}}},
		{"string", "go test fuzz v1\nstring(\"héllo\")\n", []Value{{"string", "héllo"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCorpusFile([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v\nwant %#v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"[]byte(\"x\")\n", "go test fuzz v1\n[]int(1)\n", "go test fuzz v1\nfoo(\n", "go test fuzz v1\nuint32(x)\n"} {
		if _, err := ParseCorpusFile([]byte(bad)); err == nil {
			t.Errorf("ParseCorpusFile(%q) accepted it", bad)
		}
	}
}

// TestEncodeLayout pins the bytes of the shim's encoding (the package
// doc): a []byte is a big-endian length and its bytes, a uint32 four
// bytes, a uint64 eight bytes and an order byte.
func TestEncodeLayout(t *testing.T) {
	got, err := Encode([]Value{{"[]byte", []byte("hi")}, {"uint32", uint64(0x01020304)}, {"uint64", uint64(5)}, {"[]byte", []byte("xyz")}})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 0, 0, 2, 'h', 'i', 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0, 3, 'x', 'y', 'z'}
	if !bytes.Equal(got, want) {
		t.Fatalf("Encode = % x\nwant     % x", got, want)
	}
}

// TestEncodeDecode round-trips arguments of every supported type and
// checks Decode's edge rules: a zero length means 30, a length that is not
// all the bytes left is taken modulo them, little-endian when the order
// byte is even.
func TestEncodeDecode(t *testing.T) {
	args := []Value{{"[]byte", []byte{1, 2, 3}}, {"uint32", uint64(9)}, {"uint64", uint64(1 << 40)}, {"byte", uint64(7)}, {"bool", true}, {"[]byte", bytes.Repeat([]byte{0xab}, 100)}}
	enc, err := Encode(args)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, a := range args {
		types = append(types, a.Type)
	}
	dec, err := Decode(enc, types)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dec, args) {
		t.Fatalf("round trip:\n%#v\n%#v", dec, args)
	}
	// Zero length is 30 (modulo what is left); a long one wraps.
	in := append([]byte{0, 0, 0, 0}, bytes.Repeat([]byte{1}, 40)...)
	if v, err := Decode(in, []string{"[]byte"}); err != nil || len(v[0].V.([]byte)) != 30 {
		t.Fatalf("zero length: %v %v", v, err)
	}
	in = append(binary.BigEndian.AppendUint32(nil, 45), bytes.Repeat([]byte{1}, 40)...)
	if v, err := Decode(in, []string{"[]byte"}); err != nil || len(v[0].V.([]byte)) != 5 {
		t.Fatalf("long length: %v %v", v, err)
	}
	le := append(binary.LittleEndian.AppendUint64(nil, 77), 2)
	if v, err := Decode(le, []string{"uint64"}); err != nil || v[0].V.(uint64) != 77 {
		t.Fatalf("little-endian uint64: %v %v", v, err)
	}
	if _, err := Decode([]byte{0, 0}, []string{"uint32"}); err == nil {
		t.Fatal("Decode accepted too few bytes")
	}
	if _, err := Encode([]Value{{"[]byte", []byte{}}}); err == nil {
		t.Fatal("Encode accepted an empty []byte, which the shim cannot receive")
	}
}

// TestTargets lists the module's fuzz targets: every func Fuzz*(f
// *testing.F) of every package, with f.Fuzz's parameter types.
func TestTargets(t *testing.T) {
	ts, err := Targets("../..")
	if err != nil {
		t.Fatal(err)
	}
	byFunc := map[string]Target{}
	for _, tg := range ts {
		byFunc[tg.Func] = tg
	}
	for fn, want := range map[string]Target{
		"FuzzDecode":            {Dir: "wasm", Binary: "wasm_decode", Params: []string{"[]byte"}},
		"FuzzDifferential":      {Dir: "fuzz", Binary: "fuzz_differential", Params: []string{"[]byte"}},
		"FuzzVerifyMemoryProof": {Dir: "merkle", Binary: "merkle_verifymemoryproof", Params: []string{"[]byte", "uint32", "[]byte"}},
		"FuzzHost":              {Dir: "block", Binary: "block_host", Params: []string{"[]byte", "uint64"}},
	} {
		got, ok := byFunc[fn]
		if !ok {
			t.Errorf("target %s not found", fn)
			continue
		}
		if got.Dir != want.Dir || got.Binary != want.Binary || !reflect.DeepEqual(got.Params, want.Params) {
			t.Errorf("%s: %+v, want %+v", fn, got, want)
		}
	}
	if len(ts) < 13 {
		t.Errorf("%d targets, want at least the 13 of the tree", len(ts))
	}
}

// TestBundle bundles a target of a small package whose helpers live in
// other test files (one taking a testing.TB): the bundle holds the target
// and what it reaches, not the rest; the other test files are aside; the
// package's tests compile with the bundle alone; Restore puts everything
// back.
func TestBundle(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":          "module example.com/m\n\ngo 1.22\n",
		"p/p.go":          "package p\n\nfunc Double(x int) int { return 2 * x }\n",
		"p/help_test.go":  "package p\n\nimport (\n\t\"strings\"\n\t\"testing\"\n)\n\nconst prefix = \"seed-\"\n\n// load is a helper.\nfunc load(tb testing.TB, s string) []byte {\n\ttb.Helper()\n\treturn []byte(strings.TrimPrefix(s, prefix))\n}\n\ntype checker struct{ n int }\n\nfunc (c *checker) check(b []byte) bool { return len(b) < c.n+Double(1) }\n\nfunc unused() string { return strings.Repeat(\"x\", 2) }\n",
		"p/other_test.go": "package p\n\nimport \"testing\"\n\nfunc TestDouble(t *testing.T) { if Double(2) != 4 { t.Fatal() } }\n\nfunc BenchmarkDouble(b *testing.B) { for i := 0; i < b.N; i++ { Double(i) } }\n",
		"p/fuzz_test.go":  "package p\n\nimport \"testing\"\n\nfunc FuzzThing(f *testing.F) {\n\tf.Add(load(f, \"seed-ab\"))\n\tc := &checker{n: 8}\n\tf.Fuzz(func(t *testing.T, b []byte) {\n\t\tif !c.check(b) && len(b) > 1<<20 {\n\t\t\tt.Fatal(\"big\")\n\t\t}\n\t})\n}\n",
		"p/x_test.go":     "package p_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/m/p\"\n)\n\nfunc TestExternal(t *testing.T) { _ = p.Double }\n",
	}
	for name, src := range files {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pdir := filepath.Join(dir, "p")
	if err := Bundle(pdir, "FuzzThing"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(pdir, BundleFile))
	if err != nil {
		t.Fatal(err)
	}
	bundle := string(b)
	for _, want := range []string{"func FuzzThing", "func load(tb fuzzTB", "const prefix", "type checker", "func (c *checker) check", "type fuzzTB interface", "\"strings\"", "// load is a helper.", "c := &checker{n: 8}"} {
		if !strings.Contains(bundle, want) {
			t.Errorf("bundle lacks %q", want)
		}
	}
	for _, not := range []string{"func unused", "TestDouble", "BenchmarkDouble", "TestExternal", "f.Add("} {
		if strings.Contains(bundle, not) {
			t.Errorf("bundle holds %q, which FuzzThing does not reach", not)
		}
	}
	left, _ := filepath.Glob(filepath.Join(pdir, "*_test.go"))
	if len(left) != 1 || filepath.Base(left[0]) != BundleFile {
		t.Errorf("test files left beside the bundle: %v", left)
	}
	if _, err := exec.LookPath("go"); err == nil {
		cmd := exec.Command("go", "vet", "./p")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("the bundle does not compile alone: %v\n%s\n%s", err, out, bundle)
		}
	}
	if err := Restore(pdir); err != nil {
		t.Fatal(err)
	}
	for name, src := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != src {
			t.Errorf("%s not restored: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(pdir, BundleFile)); !os.IsNotExist(err) {
		t.Error("bundle left after Restore")
	}
}

// TestBundleTreeTargets bundles every fuzz target of the tree in a copy of
// it and type-checks its package with the bundle as the only test file:
// what the libFuzzer builder compiles must be complete. (The shim's
// narrower API is checked by fuzz/ossfuzz/build-local.sh, which builds.)
func TestBundleTreeTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("short: bundles every target of the tree")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	root, _ := filepath.Abs("../..")
	copyDir := t.TempDir()
	if err := copyGoTree(root, copyDir); err != nil {
		t.Fatal(err)
	}
	ts, err := Targets(copyDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range ts {
		t.Run(tg.Func, func(t *testing.T) {
			dir := filepath.Join(copyDir, filepath.FromSlash(tg.Dir))
			if err := Bundle(dir, tg.Func); err != nil {
				t.Fatal(err)
			}
			defer Restore(dir)
			cmd := exec.Command("go", "vet", "-tags", "gofuzz", "./"+tg.Dir)
			cmd.Dir = copyDir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s's bundle does not compile: %v\n%s", tg.Func, err, out)
			}
		})
	}
}

// copyGoTree copies what type-checking the module needs: its Go files,
// go.mod and go.sum, and the other files of its packages (a //go:embed
// pattern must match), skipping .git, testdata, node_modules and nested
// modules.
func copyGoTree(src, dst string) error {
	return filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			if rel != "." {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir // a nested module
				}
			}
			if fi.Name() == ".git" || fi.Name() == "node_modules" || fi.Name() == "testdata" && rel != "." {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}
