package dispute

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifierImports: the verifier's files import no machine, directly
// or through another package, so it checks proofs from bytes and roots
// alone (issue 5).
func TestVerifierImports(t *testing.T) {
	const machine = "github.com/refereevm/referee/trace"
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || !(strings.HasPrefix(f, "verify") || strings.HasPrefix(f, "proof")) {
			continue
		}
		pf, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range pf.Imports {
			p := strings.Trim(im.Path.Value, `"`)
			if p == machine {
				t.Errorf("%s imports %s", f, p)
			}
			if strings.HasPrefix(p, "github.com/refereevm/referee/") {
				seen[p] = true
			}
		}
	}
	for p := range seen {
		out, err := exec.Command("go", "list", "-deps", p).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", p, err)
		}
		for _, d := range strings.Fields(string(out)) {
			if d == machine {
				t.Errorf("the verifier imports %s, which depends on %s", p, machine)
			}
		}
	}
	// and the package as a whole, as long as the game needs no machine
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, d := range strings.Fields(string(out)) {
		if d == machine {
			t.Logf("note: package dispute depends on %s through a file outside the verifier", machine)
		}
	}
}
