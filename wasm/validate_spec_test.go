package wasm

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// validateSpecDirs are the spec suites (wast2json output) the validator is
// checked against: the core tests and the SIMD tests of Wasm 2.0.
var validateSpecDirs = []string{"../testdata/spectest/wasm-2.0", "../testdata/spectest/wasm-2.0-simd"}

// validateSpecFile is the part of a wast2json command file this test reads.
type validateSpecFile struct {
	Commands []validateSpecCommand `json:"commands"`
}

type validateSpecCommand struct {
	Type       string `json:"type"`
	Line       int    `json:"line"`
	Filename   string `json:"filename"`
	Text       string `json:"text"`
	ModuleType string `json:"module_type"`
}

// TestValidateSpec decodes and validates every binary module of the spec
// suite: each `module` must pass with DefaultLimits, each binary
// assert_invalid and assert_malformed must fail to decode or to validate.
// It also counts how many assert_invalid errors contain the spec's expected
// text, and requires all of them to (the validator's messages start with
// the spec's wording).
func TestValidateSpec(t *testing.T) {
	for _, dir := range validateSpecDirs {
		t.Run(filepath.Base(dir), func(t *testing.T) { validateSpec(t, dir) })
	}
}

func validateSpec(t *testing.T, validateSpecDir string) {
	files, err := filepath.Glob(filepath.Join(validateSpecDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no spec files in %s (%v)", validateSpecDir, err)
	}
	var modules, invalid, malformed, invalidText, invalidByValidate, malformedByValidate int
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var sf validateSpecFile
		if err := json.Unmarshal(raw, &sf); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		base := strings.TrimSuffix(filepath.Base(file), ".json") + ".wast"
		for _, cmd := range sf.Commands {
			if cmd.Filename == "" || cmd.ModuleType == "text" || !strings.HasSuffix(cmd.Filename, ".wasm") {
				continue
			}
			name := base + "/" + cmd.Type + "/line:" + strconv.Itoa(cmd.Line)
			switch cmd.Type {
			case "module":
				modules++
				if err := decodeAndValidate(filepath.Join(validateSpecDir, cmd.Filename)); err != nil {
					t.Errorf("%s: %s: %v", name, cmd.Filename, err)
				}
			case "assert_invalid", "assert_malformed":
				decodeErr, validateErr := decodeThenValidate(filepath.Join(validateSpecDir, cmd.Filename))
				err := errors.Join(decodeErr, validateErr)
				if err == nil {
					t.Errorf("%s: %s: accepted, want %q", name, cmd.Filename, cmd.Text)
					continue
				}
				if cmd.Type == "assert_malformed" {
					malformed++
					if decodeErr == nil {
						malformedByValidate++
					}
					continue
				}
				invalid++
				if decodeErr == nil {
					invalidByValidate++
				}
				if errors.Is(err, ErrLimit) {
					t.Errorf("%s: %s: invalid module refused by a limit: %v", name, cmd.Filename, err)
				}
				if strings.Contains(err.Error(), cmd.Text) {
					invalidText++
					continue
				}
				// The validator's messages start with the spec's wording;
				// the decoder's wording is the decoder's business.
				if validateErr != nil && !validateSpecTextExempt[cmd.Filename] {
					t.Errorf("%s: %s: error %q does not contain %q", name, cmd.Filename, err, cmd.Text)
				}
			}
		}
	}
	t.Logf("modules valid: %d; assert_invalid rejected: %d (%d by Validate, %d with the spec's text); assert_malformed (binary) rejected: %d (%d by Validate)",
		modules, invalid, invalidByValidate, invalidText, malformed, malformedByValidate)
}

func decodeAndValidate(path string) error {
	decodeErr, validateErr := decodeThenValidate(path)
	return errors.Join(decodeErr, validateErr)
}

// decodeThenValidate decodes the module at path and, if that worked,
// validates it.
func decodeThenValidate(path string) (decodeErr, validateErr error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return err, nil
	}
	m, err := Decode(b)
	if err != nil {
		return err, nil
	}
	return nil, Validate(m, DefaultLimits())
}

// validateSpecTextExempt lists assert_invalid modules whose expected text
// the binary cannot lead to.
var validateSpecTextExempt = map[string]bool{
	// (select (result) ...) with zero types: wast2json writes it as the
	// untyped select 0x1b, so the binary only shows a select on an empty
	// stack ("type mismatch"), not a select with 0 result types.
	"select.2.wasm": true,
}

// BenchmarkValidate validates every module of the spec suite that decodes
// (decoded once, outside the loop); bytes/s is over the binaries' sizes.
func BenchmarkValidate(b *testing.B) {
	files, err := filepath.Glob(filepath.Join(validateSpecDirs[0], "*.wasm"))
	if err != nil {
		b.Fatal(err)
	}
	var mods []*Module
	var size int64
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		if m, err := Decode(raw); err == nil {
			mods = append(mods, m)
			size += int64(len(raw))
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range mods {
			_ = Validate(m, DefaultLimits())
		}
	}
}
