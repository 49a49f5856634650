package serve

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite examples/blocks/inline/")

// TestInlineExamples: examples/blocks/inline/NAME.json is NAME.json with
// its code inlined (block.Block.JSON), the form POST /v1/check takes, so
// that `curl --data-binary @examples/blocks/inline/token.json` works on a
// fresh clone. go test ./serve -run TestInlineExamples -update rewrites
// them after a change to a block or a contract.
func TestInlineExamples(t *testing.T) {
	for name := range exampleCommitments {
		path := filepath.Join("..", "examples", "blocks", "inline", name)
		want := inlineBlock(t, name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./serve -run TestInlineExamples -update writes it)", err)
		}
		if string(got) != string(want) {
			t.Errorf("%s is not %s with its code inlined: go test ./serve -run TestInlineExamples -update", path, name)
		}
	}
}
