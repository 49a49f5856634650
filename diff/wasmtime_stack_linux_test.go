//go:build cgo && linux

package diff

import (
	"strings"
	"syscall"
	"testing"
)

// TestCheckNativeStack: under a stack limit (ulimit -s) smaller than twice
// the Wasm stack wasmtime is given, the engine refuses to start (a Wasm
// stack past the thread's real one is a segmentation fault, not a trap);
// at the default limit it starts.
func TestCheckNativeStack(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_STACK, &old); err != nil {
		t.Skip(err)
	}
	if err := checkNativeStack(2 * WasmtimeMaxWasmStack); err != nil {
		t.Fatalf("at the current limit (%d): %v", old.Cur, err)
	}
	small := old
	small.Cur = WasmtimeMaxWasmStack // 1 MiB < 2 MiB needed
	if err := syscall.Setrlimit(syscall.RLIMIT_STACK, &small); err != nil {
		t.Skip(err)
	}
	err := checkNativeStack(2 * WasmtimeMaxWasmStack)
	if err := syscall.Setrlimit(syscall.RLIMIT_STACK, &old); err != nil {
		t.Fatal(err)
	}
	if err == nil || !strings.Contains(err.Error(), "ulimit -s") {
		t.Fatalf("at 1 MiB: %v, want a refusal naming ulimit -s", err)
	}
}
