package wasm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const specDir = "../testdata/spectest/wasm-2.0"

// specCommand is the part of a wast2json command the decoder tests use.
type specCommand struct {
	Type       string `json:"type"`
	Line       int    `json:"line"`
	Filename   string `json:"filename"`
	Text       string `json:"text"`
	ModuleType string `json:"module_type"`
}

type specFile struct {
	Commands []specCommand `json:"commands"`
}

// specBinary is one .wasm file of the spec suite with what the suite says
// about it.
type specBinary struct {
	name string // <file>.wast/<command>/line:<n>
	kind string // module, assert_malformed, assert_invalid, assert_unlinkable, ...
	text string // expected error text
	wasm []byte
}

// loadSpecBinaries reads every binary module of the spec suite.
func loadSpecBinaries(t testing.TB) []specBinary {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(specDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no spec json files in %s (err %v)", specDir, err)
	}
	var out []specBinary
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sf specFile
		if err := json.Unmarshal(raw, &sf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		wast := strings.TrimSuffix(filepath.Base(f), ".json") + ".wast"
		for _, c := range sf.Commands {
			if !strings.HasSuffix(c.Filename, ".wasm") || (c.ModuleType != "" && c.ModuleType != "binary") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(specDir, c.Filename))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, specBinary{
				name: wast + "/" + c.Type + "/line:" + strconv.Itoa(c.Line),
				kind: c.Type, text: c.Text, wasm: b,
			})
		}
	}
	return out
}

// TestDecodeSpec: every module of the suite decodes; every binary
// assert_malformed fails to decode; every binary assert_invalid fails to
// decode or to validate.
func TestDecodeSpec(t *testing.T) {
	var decoded, malformed, textMatch, invalidAtDecode, invalid int
	for _, sb := range loadSpecBinaries(t) {
		m, err := Decode(sb.wasm)
		switch sb.kind {
		case "module", "assert_trap", "assert_unlinkable", "assert_uninstantiable", "assert_return", "assert_exhaustion":
			if err != nil {
				t.Errorf("%s: %v", sb.name, err)
				continue
			}
			decoded++
		case "assert_malformed":
			if err == nil {
				t.Errorf("%s: decoded, want malformed %q", sb.name, sb.text)
				continue
			}
			malformed++
			if strings.Contains(err.Error(), sb.text) {
				textMatch++
			} else {
				t.Logf("%s: want %q, have %v", sb.name, sb.text, err)
			}
		case "assert_invalid":
			if err != nil {
				invalidAtDecode++
				t.Logf("%s: rejected at decode (want invalid %q): %v", sb.name, sb.text, err)
				continue
			}
			if err := Validate(m, DefaultLimits()); err == nil {
				t.Errorf("%s: decoded and validated, want invalid %q", sb.name, sb.text)
				continue
			}
			invalid++
		}
	}
	t.Logf("decoded %d modules; rejected %d malformed (%d with the spec's text); %d invalid rejected at decode, %d by Validate",
		decoded, malformed, textMatch, invalidAtDecode, invalid)
}
