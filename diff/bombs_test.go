package diff

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBombsOnEngines: every module of testdata/bombs is refused by the
// gatekeeper or compiles on every engine within the compile budget
// (the dynamic half of the gatekeeper). Times are logged, not asserted
// beyond the budget; BenchmarkBombs in meter measures them.
func TestBombsOnEngines(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the accepted bombs on every engine")
	}
	files, err := filepath.Glob(filepath.Join("..", "testdata", "bombs", "*.wasm"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no bombs: %v", err)
	}
	engines := testEngines(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			bin, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Gate(bin, DefaultGateOptions())
			if err != nil {
				t.Logf("refused: %v", err)
				return
			}
			for _, e := range engines {
				c, ok := e.(Compiler)
				if !ok {
					continue
				}
				start := time.Now()
				if err := compileWithin(context.Background(), DefaultCompileBudget, e.Name(), func() error { return c.Compile(context.Background(), p) }); err != nil {
					t.Errorf("%s: %v", e.Name(), err)
				}
				t.Logf("%s: compiled in %v", e.Name(), time.Since(start).Round(time.Millisecond))
			}
		})
	}
}
