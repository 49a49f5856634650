package input

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFileLimit: a regular file over the limit is refused by its size,
// before it is read; at the limit it is read whole; a directory and a
// device are refused as not regular files.
func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(p, make([]byte, 1001), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(p, 1000); err == nil || !strings.Contains(err.Error(), "larger than the limit of 1000 bytes") {
		t.Errorf("over the limit: %v", err)
	}
	if b, err := ReadFile(p, 1001); err != nil || len(b) != 1001 {
		t.Errorf("at the limit: %d bytes, %v", len(b), err)
	}
	if _, err := ReadFile(filepath.Dir(p), 1000); err == nil || !strings.Contains(err.Error(), "not a regular file (a directory)") {
		t.Errorf("directory: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := ReadFile("/dev/zero", 1000); err == nil || !strings.Contains(err.Error(), "(a device)") {
			t.Errorf("/dev/zero: %v", err)
		}
	}
	if _, err := ReadFile(filepath.Join(filepath.Dir(p), "absent"), 10); err == nil || !strings.HasPrefix(err.Error(), "open ") {
		t.Errorf("missing: %v", err)
	}
}
