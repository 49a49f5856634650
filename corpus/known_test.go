package corpus

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

// TestKnownTriage replays the seven signatures a 60 s campaign of reference
// against wazero's compiler stored (testdata/known) and checks that each
// still diverges with its signature and that the shipped list explains it
// by re-running the model (F1: active data kept; F2: passive externref
// elements empty); a list whose bugs affect other engines, or the other
// model, explains none.
func TestKnownTriage(t *testing.T) {
	want := map[string]string{
		"334b7c9cab95f185": "F2", "dc1d48a0bb54b6e5": "F2", "e71679fc7cfd55f7": "F2",
		"4dbd562161212a5a": "F1", "610d1d01179b45fd": "F1", "6cd83bba4a6b8a7f": "F1", "9afd1d43d0c89490": "F1",
	}
	engines, err := diff.Engines([]string{"reference", "wazero-compiler"}, diff.EngineConfig{Interruptible: true})
	if err != nil {
		t.Fatal(err)
	}
	defer diff.CloseEngines(engines)
	oracle := NewDiffOracle(engines)
	shipped := ShippedKnown()
	cl := &Classifier{List: shipped, Engines: engines, Gate: oracle.Gate}
	var others KnownList
	others.Version = 1
	for _, k := range shipped.Bugs {
		k.Engines = []string{"wasmtime"}
		others.Bugs = append(others.Bugs, k)
	}
	elsewhere := &Classifier{List: &others, Engines: engines, Gate: oracle.Gate}
	for id, bug := range want {
		t.Run(id, func(t *testing.T) {
			bin, err := os.ReadFile(filepath.Join("testdata", "known", id+".wasm"))
			if err != nil {
				t.Fatal(err)
			}
			var rec struct {
				Signature string `json:"signature"`
				Calls     []Call `json:"calls"`
			}
			b, err := os.ReadFile(filepath.Join("testdata", "known", id+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &rec); err != nil {
				t.Fatal(err)
			}
			m, err := wasm.Decode(bin)
			if err != nil {
				t.Fatal(err)
			}
			d, err := oracle.Check(context.Background(), m, rec.Calls)
			if err != nil || d == nil || d.Signature != rec.Signature {
				t.Fatalf("divergence %+v (%v), want signature %s", d, err, rec.Signature)
			}
			if got := cl.Classify(context.Background(), m, rec.Calls, d); got != bug {
				t.Errorf("classified %q, want %s", got, bug)
			}
			if got := elsewhere.Classify(context.Background(), m, rec.Calls, d); got != "" {
				t.Errorf("with the bugs on wasmtime only: classified %q, want none", got)
			}
			other := "F1"
			if bug == "F1" {
				other = "F2"
			}
			var only KnownList
			only.Version = 1
			for _, k := range shipped.Bugs {
				if k.ID == other {
					only.Bugs = append(only.Bugs, k)
				}
			}
			if got := (&Classifier{List: &only, Engines: engines, Gate: oracle.Gate}).Classify(context.Background(), m, rec.Calls, d); got != "" {
				t.Errorf("with %s alone: classified %q, want none", other, got)
			}
		})
	}
}

// TestShippedKnownDocumented checks the shipped list against
// docs/divergence.md: every bug's doc anchor is a heading there.
func TestShippedKnownDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "divergence.md"))
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, h := range regexp.MustCompile(`(?m)^#+ (.+)$`).FindAllStringSubmatch(string(doc), -1) {
		anchors[anchor(h[1])] = true
	}
	for _, k := range ShippedKnown().Bugs {
		_, a, ok := strings.Cut(k.Doc, "#")
		if !ok || !anchors[a] {
			t.Errorf("%s: doc %q: no such heading in docs/divergence.md", k.ID, k.Doc)
		}
	}
}

// anchor is GitHub's anchor of a heading: lower case, punctuation but - and
// _ dropped, spaces to -.
func anchor(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestParseKnownErrors checks that a bad list names the field at fault.
func TestParseKnownErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"version": 2, "bugs": []}`, "version 2"},
		{`{"version": 1, "bugs": [{"id": "X", "engines": ["a"], "model": "magic"}]}`, "bugs[0].model"},
		{`{"version": 1, "bugs": [{"id": "X", "engines": [], "model": "nan-bits"}]}`, "bugs[0].engines"},
		{`{"version": 1, "bugs": [{"id": "X", "engines": ["a"], "model": "nan-bits"}, {"id": "X", "engines": ["a"], "model": "nan-bits"}]}`, "bugs[1].id"},
		{`{"version": 1, "bugs": [], "extra": 1}`, "unknown field"},
	} {
		if _, err := ParseKnown([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestKnownValueModels checks the models that read the divergence itself:
// two NaNs (or a signalling-NaN argument of a value difference) are
// V8-NAN on a V8 engine only, candidate trap kinds V8-TRAP, and other
// differences nothing.
func TestKnownValueModels(t *testing.T) {
	cl := &Classifier{List: ShippedKnown()}
	m := &wasm.Module{
		Types:   []wasm.FuncType{{Params: []wasm.ValType{wasm.F32}}},
		Funcs:   []uint32{0},
		Exports: []wasm.Export{{Name: "f", Kind: wasm.ExternFunc}},
		Codes:   []wasm.Code{{Body: []byte{byte(wasm.OpEnd)}}},
	}
	snan, qnan := []Call{{Export: "f", Args: []uint64{0x7fa00000}}}, []Call{{Export: "f", Args: []uint64{0x7fc00000}}}
	for _, tc := range []struct {
		name    string
		engines [2]string
		class   string
		field   string
		values  [2]string
		calls   []Call
		want    string
	}{
		{"f32 NaNs", [2]string{"reference", "v8-liftoff"}, "value-mismatch", "results[0]", [2]string{"0x7fa00000", "0x7fe00000"}, qnan, "V8-NAN"},
		{"f64 NaN global", [2]string{"reference", "v8-turbofan"}, "globals", "globals.g", [2]string{"g=0x7ff8000000000001", "g=0x7ff8000000000000"}, qnan, "V8-NAN"},
		{"signalling argument", [2]string{"reference", "v8-liftoff"}, "globals", "globals.checksum", [2]string{"checksum=0x1", "checksum=0x2"}, snan, "V8-NAN"},
		{"quiet argument", [2]string{"reference", "v8-liftoff"}, "globals", "globals.checksum", [2]string{"checksum=0x1", "checksum=0x2"}, qnan, ""},
		{"signalling argument, trap", [2]string{"reference", "v8-liftoff"}, "trap-kind", "trap", [2]string{"unreachable", "integer overflow"}, snan, ""},
		{"NaNs on wazero", [2]string{"reference", "wazero-compiler"}, "value-mismatch", "results[0]", [2]string{"0x7fa00000", "0x7fe00000"}, qnan, ""},
		{"candidate traps", [2]string{"reference", "v8-turbofan"}, "trap-kind", "trap", [2]string{"integer overflow", "integer overflow|invalid conversion to integer"}, qnan, "V8-TRAP"},
		{"wrong candidates", [2]string{"reference", "v8-turbofan"}, "trap-kind", "trap", [2]string{"unreachable", "integer overflow|invalid conversion to integer"}, qnan, ""},
	} {
		d := &Divergence{Call: 0, Class: tc.class, Field: tc.field, Engines: tc.engines, Values: tc.values}
		if got := cl.Classify(context.Background(), m, tc.calls, d); got != tc.want {
			t.Errorf("%s: classified %q, want %q", tc.name, got, tc.want)
		}
	}
}
