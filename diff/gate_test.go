package diff

import (
	"context"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/refereevm/referee/block"
)

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Modules the gatekeeper must refuse before any engine sees them (built
// with wat2wasm; the threads ones with --enable-threads).
var refused = []struct{ name, hex string }{
	// (func (result i32) v128.const i32x4 1 2 3 4 v128.const i32x4 0 0 0 0
	//   i8x16.relaxed_swizzle i32x4.extract_lane 0): relaxed SIMD (plain SIMD is Wasm 2.0 and passes)
	{"relaxed simd", "0061736d010000000105016000017f03020100070501016600000a2e012c00fd0c01000000020000000300000004000000fd0c00000000000000000000000000000000fd8002fd1b000b"},
	// (memory 1 1 shared) (func (result i32) i32.const 0 i32.atomic.load)
	{"threads shared memory", "0061736d010000000105016000017f03020100050401030101070501016600000a0a0108004100fe1002000b"},
	// (memory 1 1) (func (result i32) i32.const 0 i32.atomic.load)
	{"threads atomic op", "0061736d010000000105016000017f03020100050401010101070501016600000a0a0108004100fe1002000b"},
	{"truncated", "0061736d01000000010501"},
	{"not wasm", "00"},
}

func TestGateRefuses(t *testing.T) {
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Gate(unhex(t, tt.hex), DefaultGateOptions())
			if !errors.Is(err, ErrGate) {
				t.Fatalf("error %v, want ErrGate", err)
			}
		})
	}
}

// TestGateBlock: a block naming a refused module, a module that is not a
// contract, or an entry that is not a [] -> [] export is bad input that
// names the field.
func TestGateBlock(t *testing.T) {
	token := loadExample(t, "token.json")
	tests := []struct {
		name  string
		edit  func(b *block.Block)
		field string
	}{
		{"relaxed simd code", func(b *block.Block) { b.Pre.Contracts[0].Code = unhex(t, refused[0].hex) }, "pre.contracts[0].code"},
		// (module (start 0) (func))
		{"start function", func(b *block.Block) {
			b.Pre.Contracts[0].Code = unhex(t, "0061736d01000000010401600000030201000801000a040102000b")
		}, "pre.contracts[0].code"},
		{"missing entry", func(b *block.Block) { b.Txs[3].Entry = "nope" }, "txs[3].entry"},
		{"memory as entry", func(b *block.Block) { b.Txs[1].Entry = "memory" }, "txs[1].entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := *token
			b.Pre.Contracts = append([]block.Contract(nil), token.Pre.Contracts...)
			b.Txs = append([]block.Tx(nil), token.Txs...)
			tt.edit(&b)
			_, err := CheckBlock(context.Background(), &b, []Engine{Reference{}}, DefaultOptions())
			var ie *InputError
			if !errors.As(err, &ie) || !errors.Is(err, ErrBadInput) || ie.Field != tt.field {
				t.Fatalf("error %v, want bad input at %s", err, tt.field)
			}
		})
	}
}

// TestCompileBudget: a compilation past its budget is engine-timeout, a
// compile error rejected-by-engine, a panic engine-crash; the budget never
// touches a compile that finishes.
func TestCompileBudget(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	err := compileWithin(context.Background(), time.Millisecond, "slow", func() error { <-block; return nil })
	if f := failedFailure(err); err == nil || f.Class != ClassEngineTimeout {
		t.Errorf("slow compile: %v", err)
	}
	err = compileWithin(context.Background(), time.Hour, "bad", func() error { return errors.New("unsupported") })
	if f := failedFailure(err); err == nil || f.Class != ClassRejected {
		t.Errorf("failing compile: %v", err)
	}
	err = compileWithin(context.Background(), time.Hour, "panicky", func() error { panic("boom") })
	if f := failedFailure(err); err == nil || f.Class != ClassEngineCrash {
		t.Errorf("panicking compile: %v", err)
	}
	if err := compileWithin(context.Background(), time.Hour, "fine", func() error { return nil }); err != nil {
		t.Errorf("fine compile: %v", err)
	}
}

// slowCompiler is an engine whose compilation never ends in time.
type slowCompiler struct {
	Reference
	release chan struct{}
}

func (slowCompiler) Name() string { return "slow-compiler" }

func (s slowCompiler) Compile(ctx context.Context, p *Prepared) error {
	<-s.release
	return nil
}

// TestCompileBudgetInBlock: CheckBlock reports an engine whose compile
// passes the budget at the first transaction of that contract.
func TestCompileBudgetInBlock(t *testing.T) {
	b := loadExample(t, "mixed.json")
	release := make(chan struct{})
	defer close(release)
	o := DefaultOptions()
	o.Gate.CompileBudget = 10 * time.Millisecond
	rep, err := CheckBlock(context.Background(), b, []Engine{Reference{}, slowCompiler{release: release}}, o)
	if err != nil {
		t.Fatal(err)
	}
	if dv := rep.Divergence; dv == nil || dv.Tx != 0 || dv.Class != ClassEngineTimeout {
		t.Fatalf("divergence %+v, want engine-timeout at tx 0", dv)
	}
}
