package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/refereevm/referee/wasm/shapes"
)

// TestRunRealShapes: `referee run` accepts every real-world shape under
// its default limits (a Go program nests 3,289 blocks deep, tree-sitter
// lexers up to 1,917) and prints the shape model's result.
func TestRunRealShapes(t *testing.T) {
	dir := t.TempDir()
	for _, s := range shapes.All() {
		t.Run(s.Name, func(t *testing.T) {
			path := filepath.Join(dir, s.Name+".wasm")
			if err := os.WriteFile(path, s.Binary(), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := cli("run", path, "run", "i32:1108")
			if want := fmt.Sprintf("i32:%d\n", int32(s.Want(1108))); code != exitOK || stdout != want {
				t.Errorf("exit %d, stdout %q (want %q), stderr %q", code, stdout, want, stderr)
			}
		})
	}
}
