//go:build cgo

package diff

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/block"
)

// TestWasmtimeRefusesNonNullFuncrefArg: a host has no function reference
// to pass, so wasmtime refuses a non-null funcref argument instead of
// inventing one (the generator only passes null funcrefs).
func TestWasmtimeRefusesNonNullFuncrefArg(t *testing.T) {
	bin, err := os.ReadFile(filepath.Join("testdata", "refs.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Gate(bin, DefaultGateOptions())
	if err != nil {
		t.Fatal(err)
	}
	w := NewWasmtime(false)
	defer w.Close()
	req := &Request{
		Prog: p, Tx: block.Tx{Entry: "fid", GasLimit: 1 << 20},
		TxIndex: -1, State: block.NewState(block.PreState{}), Args: []uint64{5},
	}
	o := RunSafe(context.Background(), w, req)
	if o.Failure != ClassRejected {
		t.Fatalf("failure %q (%s), want %q", o.Failure, o.Detail, ClassRejected)
	}
}
