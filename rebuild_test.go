package referee

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestWATRebuild rebuilds every committed .wasm that has a .wat beside it,
// as the build.sh of its directory does, and checks the bytes are the
// committed ones: a test module edited in one form and not the other fails
// here instead of testing something its source does not say. Skipped where
// wabt's wat2wasm is absent (tests never need it).
func TestWATRebuild(t *testing.T) {
	wat2wasm, err := exec.LookPath("wat2wasm")
	if err != nil {
		t.Skip("wat2wasm not found (apt-get install wabt): committed modules not rebuilt")
	}
	out := t.TempDir()
	checked := 0
	err = filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch filepath.ToSlash(p) {
			case "testdata/spectest": // wast2json's text modules: spec input, not built
				return filepath.SkipDir
			case "corpus/testdata/known": // wasm2wat listings of stored findings: the .wasm is the source
				return filepath.SkipDir
			}
			if strings.HasPrefix(d.Name(), ".") && p != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".wat") {
			return nil
		}
		committed := strings.TrimSuffix(p, ".wat") + ".wasm"
		want, err := os.ReadFile(committed)
		if err != nil {
			t.Errorf("%s has no %s beside it", p, filepath.Base(committed))
			return nil
		}
		if !hasBuildScript(filepath.Dir(p)) {
			t.Errorf("%s: no build.sh in its directory or the one above to rebuild it", p)
		}
		args := []string{p, "-o", filepath.Join(out, "m.wasm")}
		if filepath.ToSlash(filepath.Dir(p)) == "fuzz/testdata/regress" {
			args = append([]string{"--no-check"}, args...)
		}
		if msg, err := exec.Command(wat2wasm, args...).CombinedOutput(); err != nil {
			t.Errorf("wat2wasm %s: %v\n%s", p, err, msg)
			return nil
		}
		got, err := os.ReadFile(filepath.Join(out, "m.wasm"))
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what %s builds (%d bytes, built %d): run its build.sh", committed, p, len(want), len(got))
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 30 {
		t.Errorf("rebuilt only %d modules; the walk missed the test modules", checked)
	}
	t.Logf("%d committed modules rebuilt from their WAT source", checked)
}

// hasBuildScript reports whether dir or its parent has a build.sh (the
// diff one rebuilds diff/testdata/modules too).
func hasBuildScript(dir string) bool {
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if _, err := os.Stat(filepath.Join(d, "build.sh")); err == nil {
			return true
		}
	}
	return false
}
