//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSpecialInputs: every command that reads a file by path refuses a
// FIFO and a device at once, with exit 2 and one line naming the file,
// instead of blocking on the FIFO or reading /dev/zero without bound; a
// proof larger than dispute.MaxProofSize is refused by its size.
func TestSpecialInputs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	const fac = "../../testdata/spectest/wasm-2.0/fac.0.wasm"
	big := filepath.Join(dir, "big.proof")
	if err := os.WriteFile(big, make([]byte, 4<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		has  string
	}{
		{[]string{"verify", "/dev/zero"}, "not a regular file (a device)"},
		{[]string{"verify", fifo}, "not a regular file (a named pipe)"},
		{[]string{"verify", big}, "larger than the limit of 4194304 bytes"},
		{[]string{"check", "/dev/zero"}, "not a regular file (a device)"},
		{[]string{"check", fifo}, "not a regular file (a named pipe)"},
		{[]string{"narrow", fifo, "--engines", "reference,wazero-interp"}, "not a regular file (a named pipe)"},
		{[]string{"run", fifo, "f"}, "not a regular file (a named pipe)"},
		{[]string{"run", "/dev/zero", "f"}, "not a regular file (a device)"},
		{[]string{"prove", fifo, "f", "--step", "1"}, "not a regular file (a named pipe)"},
		{[]string{"spec", fifo}, "not a regular file"},
		{[]string{"diff", fifo}, "not a regular file (a named pipe)"},
		{[]string{"diff", fac, "--link", "m=" + fifo}, "not a regular file (a named pipe)"},
		{[]string{"diff", fac, "--calls", fifo}, "not a regular file (a named pipe)"},
		{[]string{"corpus", "import", "--corpus", filepath.Join(dir, "findings"), fifo}, "not a regular file (a named pipe)"},
		{[]string{"fuzz", "--known", fifo, "--duration", "1s", "--corpus", filepath.Join(dir, "findings")}, "not a regular file (a named pipe)"},
		{[]string{"check", "--server", "http://127.0.0.1:1", "--token-file", fifo, "../../examples/blocks/token.json"}, "not a regular file (a named pipe)"},
		{[]string{"serve", "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0", "--token-file", fifo}, "not a regular file (a named pipe)"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			type res struct {
				code           int
				stdout, stderr string
			}
			done := make(chan res, 1)
			go func() {
				c, o, e := cli(tc.args...)
				done <- res{c, o, e}
			}()
			select {
			case r := <-done:
				if r.code != exitBad || !strings.Contains(r.stderr, tc.has) || strings.Count(r.stderr, "\n") != 1 {
					t.Errorf("exit %d, stderr %q; want exit 2 and one line containing %q", r.code, r.stderr, tc.has)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("blocked on its input")
			}
		})
	}
}
