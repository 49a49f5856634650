package dispute

import (
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExampleVerifierPython runs docs/examples/verify_example.py, a checker
// of the proof-format worked example written in Python from the documents
// alone, and requires it to print the post-root Verify computes, and to
// reject the proof with one byte of its locals leaf changed. It is skipped
// where python3 is not installed.
func TestExampleVerifierPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	script := filepath.Join("..", "docs", "examples", "verify_example.py")
	b, err := os.ReadFile("testdata/fac-rec-step1.proof")
	if err != nil {
		t.Fatal(err)
	}
	pre := keccak([]byte(stateLabel), b[1:1+stateBodySize])
	post, err := Verify(pre, b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, script, "testdata/fac-rec-step1.proof").CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	want := "ok 0x" + hex.EncodeToString(pre[:]) + " -> 0x" + hex.EncodeToString(post[:])
	if strings.TrimSpace(string(out)) != want {
		t.Fatalf("the Python checker printed %q, want %q", out, want)
	}
	bad := append([]byte(nil), b...)
	bad[len(bad)-25] ^= 1 // local 0's low byte
	path := filepath.Join(t.TempDir(), "bad.proof")
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(py, script, path).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "rejected: locals leaf does not fold") {
		t.Fatalf("a changed local was accepted: %v\n%s", err, out)
	}
}
