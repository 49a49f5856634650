//go:build cgo

package diff

import "github.com/bytecodealliance/wasmtime-go/v39"

// CompileWasmtime compiles bin as is (not gated, not metered) on w's
// wasmtime engine, with the features the adapter enables; for the
// external tests (wasmtime_validity_test.go).
func CompileWasmtime(w *Wasmtime, bin []byte) error {
	if err := w.init(); err != nil {
		return err
	}
	m, err := wasmtime.NewModule(w.engine, bin)
	if err != nil {
		return err
	}
	m.Close()
	return nil
}
