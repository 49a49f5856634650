package wasm

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

// Resource bombs: small modules that declare, or nest, far more than any
// consumer should take on. Each must decode and then be refused by
// Validate with ErrLimit, before any real work is done.

// bombModule assembles a module from its sections: (id, contents) pairs.
func bombModule(sections ...[]byte) []byte {
	b := []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}
	for _, s := range sections {
		b = append(b, s[0])
		b = appendU32(b, uint32(len(s)-1))
		b = append(b, s[1:]...)
	}
	return b
}

// bombVoidType is a type section with the one type [] -> [].
var bombVoidType = []byte{0x01, 0x01, 0x60, 0x00, 0x00}

// localsBomb is one function whose code entry (10 bytes with the section's
// count) declares 0xFFFFFFF0 i64 locals: 32 GiB if allocated.
func localsBomb() []byte {
	return bombModule(
		bombVoidType,
		[]byte{0x03, 0x01, 0x00}, // function section: one function of type 0
		[]byte{0x0a, 0x01, // code section, one entry
			0x08,                         // body size
			0x01,                         // one local declaration
			0xf0, 0xff, 0xff, 0xff, 0x0f, // count 0xFFFFFFF0
			0x7e, // i64
			0x0b, // end
		},
	)
}

// nestingBomb is one function of n nested empty blocks.
func nestingBomb(n int) []byte {
	body := []byte{0x00} // no locals
	for i := 0; i < n; i++ {
		body = append(body, 0x02, 0x40) // block
	}
	for i := 0; i <= n; i++ {
		body = append(body, 0x0b) // end of each block, then of the function
	}
	code := appendU32([]byte{0x0a, 0x01}, uint32(len(body)))
	return bombModule(bombVoidType, []byte{0x03, 0x01, 0x00}, append(code, body...))
}

// funcsBomb is n empty functions (4 bytes each).
func funcsBomb(n int) []byte {
	funcs := appendU32([]byte{0x03}, uint32(n))
	code := appendU32([]byte{0x0a}, uint32(n))
	for i := 0; i < n; i++ {
		funcs = append(funcs, 0x00)
		code = append(code, 0x02, 0x00, 0x0b) // size 2: no locals, end
	}
	return bombModule(bombVoidType, funcs, code)
}

var bombs = []struct {
	name   string
	module []byte
	want   string // the limit the error must name
}{
	{"locals=0xFFFFFFF0", localsBomb(), "MaxLocalsPerFunc"},
	{"nesting=100000", nestingBomb(100_000), "MaxBlockDepth"},
	{"funcs=200000", funcsBomb(200_000), "MaxFuncs"},
}

func TestBombs(t *testing.T) {
	for _, bb := range bombs {
		t.Run(bb.name, func(t *testing.T) {
			m, err := Decode(bb.module)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			err = Validate(m, DefaultLimits())
			if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), bb.want) {
				t.Fatalf("Validate = %v, want an ErrLimit naming %s", err, bb.want)
			}
		})
	}
}

// TestBombsWithoutLimits shows that the limits, not invalidity, stop the
// nesting and function bombs: with the limits lifted they validate.
func TestBombsWithoutLimits(t *testing.T) {
	lifted := ResourceLimits{MaxBlockDepth: math.MaxUint32, MaxFuncs: math.MaxUint32}
	for _, b := range [][]byte{nestingBomb(100_000), funcsBomb(200_000)} {
		m, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		if err := Validate(m, lifted); err != nil {
			t.Errorf("Validate with lifted limits: %v", err)
		}
	}
	// The locals bomb validates too when its limit is lifted: locals stay
	// run-length encoded in the validator, so this allocates nothing big.
	m, err := Decode(localsBomb())
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if err := Validate(m, ResourceLimits{MaxLocalsPerFunc: math.MaxUint32}); err != nil {
		t.Errorf("Validate locals bomb with lifted limit: %v", err)
	}
}

func TestBlockDepthBoundary(t *testing.T) {
	lim := ResourceLimits{MaxBlockDepth: 3}
	for _, tt := range []struct {
		name   string
		blocks int
		ok     bool
	}{
		{"at the limit", 3, true},
		{"one over", 4, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode(nestingBomb(tt.blocks))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			err = Validate(m, lim)
			if tt.ok && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			want := "func[0]: pc=0x9 (offset 0x1d in module): block: block nesting depth: 4 exceeds MaxBlockDepth (3)"
			if !tt.ok && (err == nil || err.Error() != want || !errors.Is(err, ErrLimit)) {
				t.Fatalf("Validate = %v, want %q", err, want)
			}
		})
	}
}

// TestSIMDModulesAccepted: the two SIMD modules that earlier versions
// refused are valid Wasm 2.0 and validate.
func TestSIMDModulesAccepted(t *testing.T) {
	for _, file := range []string{"testdata/simd_params.wasm", "testdata/simd_body.wasm"} {
		t.Run(file, func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if err := Validate(m, DefaultLimits()); err != nil {
				t.Fatalf("Validate = %v", err)
			}
		})
	}
}

// BenchmarkBombs measures how long each bomb takes to be refused: decoding
// and validating the bytes, and validating an already decoded module.
func BenchmarkBombs(b *testing.B) {
	for _, bb := range bombs {
		b.Run(bb.name+"/decode+validate", func(b *testing.B) {
			b.SetBytes(int64(len(bb.module)))
			for b.Loop() {
				m, err := Decode(bb.module)
				if err != nil {
					b.Fatal(err)
				}
				if err := Validate(m, DefaultLimits()); !errors.Is(err, ErrLimit) {
					b.Fatal(err)
				}
			}
		})
		b.Run(bb.name+"/validate", func(b *testing.B) {
			m, err := Decode(bb.module)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := Validate(m, DefaultLimits()); !errors.Is(err, ErrLimit) {
					b.Fatal(err)
				}
			}
		})
	}
}
