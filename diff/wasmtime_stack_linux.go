//go:build cgo && linux

package diff

import (
	"fmt"
	"syscall"
)

// checkNativeStack refuses to run wasmtime on threads whose native stack
// may be smaller than need. Go's threads in a cgo binary get the C
// library's default thread stack, which glibc takes from RLIMIT_STACK
// (ulimit -s) at startup, or 2 MiB when it is unlimited. Wasm code past
// the thread's real stack is not a trap but a segmentation fault of the
// whole process (seen with ulimit -s 2048 and a 4 MiB Wasm stack), so a
// too small limit is an error here rather than a crash later.
func checkNativeStack(need uint64) error {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_STACK, &rl); err != nil {
		return nil // unknown: the default (8 MiB) is the common case
	}
	if rl.Cur == ^uint64(0) { // RLIM_INFINITY: glibc's default thread stack, 2 MiB on x86-64
		return nil
	}
	if rl.Cur < need {
		return fmt.Errorf("the native stack limit (ulimit -s) is %d KiB; running Wasm with %d KiB of stack needs at least %d KiB",
			rl.Cur>>10, WasmtimeMaxWasmStack>>10, need>>10)
	}
	return nil
}
