//go:build unix

package block

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadConfined: Load reads code only from inside the block file's
// directory: "..", and symbolic links that lead out, are ErrOutside
// (LoadWith{AllowOutside} reads them); a link that stays inside is fine.
func TestLoadConfined(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "secret.wasm", emptyWasm)
	writeFile(t, dir, "blocks/in/c.wasm", emptyWasm)
	if err := os.Symlink(filepath.Join(dir, "secret.wasm"), filepath.Join(dir, "blocks", "out.wasm")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("in/c.wasm", filepath.Join(dir, "blocks", "inside.wasm")); err != nil {
		t.Fatal(err)
	}
	blockWith := func(code string) string {
		return writeFile(t, dir, "blocks/b.json", []byte(`{"version": 1, "pre": {"contracts": [{"address": "`+addr1+`", "code": "`+code+`"}]}, "txs": []}`))
	}
	for _, tc := range []struct {
		code    string
		outside bool
	}{
		{"../secret.wasm", true},
		{"in/../../secret.wasm", true},
		{"out.wasm", true},
		{"in/c.wasm", false},
		{"in/../in/c.wasm", false},
		{"inside.wasm", false},
	} {
		p := blockWith(tc.code)
		_, err := Load(p)
		if tc.outside {
			if !errors.Is(err, ErrOutside) || !strings.Contains(err.Error(), "pre.contracts[0].code") {
				t.Errorf("%s: %v, want ErrOutside naming the field", tc.code, err)
			}
			if _, err := LoadWith(p, LoadOptions{AllowOutside: true}); err != nil {
				t.Errorf("%s with AllowOutside: %v", tc.code, err)
			}
		} else if err != nil {
			t.Errorf("%s: %v", tc.code, err)
		}
	}
}

// TestLoadRefusesSpecialFiles: a FIFO or a device as the block or as a
// contract's code is refused at once, without blocking on the FIFO or
// reading the device.
func TestLoadRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 3)
	go func() {
		_, err := Load(fifo)
		done <- err
	}()
	go func() {
		_, err := Load("/dev/zero")
		done <- err
	}()
	p := writeFile(t, dir, "b.json", []byte(`{"version": 1, "pre": {"contracts": [{"address": "`+addr1+`", "code": "fifo"}]}, "txs": []}`))
	go func() {
		_, err := Load(p)
		done <- err
	}()
	for i := 0; i < 3; i++ {
		select {
		case err := <-done:
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("got %v, want a not-a-regular-file error", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Load blocked on a FIFO or a device")
		}
	}
}
