package serve

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"testing"

	"github.com/refereevm/referee"
	"github.com/refereevm/referee/block"
)

// BenchmarkTokenBlock compares, in one run, the warm service (POST
// /v1/check of examples/blocks/token.json on 127.0.0.1, every engine
// built in, contracts compiled once) with the cold CLI (a referee check
// process per block: start, gate, compile, run) and a cold library check
// (a new Checker per block: the CLI without the process start). The issue's
// goal is cold-cli / warm-serve >= 5. Besides ns/op (wall clock) each
// reports cpu-ns/op, the user+system CPU time per block (of this process,
// client included, or of the CLI processes), which a loaded machine
// disturbs less.
func BenchmarkTokenBlock(b *testing.B) {
	body := inlineBlock(b, "token.json")
	b.Run("warm-serve", func(b *testing.B) {
		// as referee serve runs (its --gogc default), unless GOGC is set
		if os.Getenv("GOGC") == "" {
			defer debug.SetGCPercent(debug.SetGCPercent(400))
		}
		_, ts := testServer(b, Config{})
		client := &http.Client{}
		if a := postWith(client, ts.URL+"/v1/check", body); a.code != 200 {
			b.Fatalf("status %d", a.code)
		}
		b.ResetTimer()
		c0 := cpuTime(syscall.RUSAGE_SELF)
		for i := 0; i < b.N; i++ {
			if a := postWith(client, ts.URL+"/v1/check", body); a.code != 200 {
				b.Fatalf("status %d", a.code)
			}
		}
		b.ReportMetric(float64(cpuTime(syscall.RUSAGE_SELF)-c0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("cold-library", func(b *testing.B) {
		blk, err := block.ParseInline("token", body)
		if err != nil {
			b.Fatal(err)
		}
		c0 := cpuTime(syscall.RUSAGE_SELF)
		defer func() { b.ReportMetric(float64(cpuTime(syscall.RUSAGE_SELF)-c0)/float64(b.N), "cpu-ns/op") }()
		for i := 0; i < b.N; i++ {
			k, err := referee.NewChecker(referee.Config{})
			if err != nil {
				b.Fatal(err)
			}
			if v, err := k.Check(context.Background(), blk, nil); err != nil || !v.Agree() {
				b.Fatalf("%v", err)
			}
			k.Close()
		}
	})
	b.Run("cold-cli", func(b *testing.B) {
		exe := filepath.Join(b.TempDir(), "referee")
		build := exec.Command("go", "build", "-o", exe, "github.com/refereevm/referee/cmd/referee")
		if out, err := build.CombinedOutput(); err != nil {
			b.Skipf("cannot build the CLI: %v\n%s", err, out)
		}
		b.ResetTimer()
		c0 := cpuTime(syscall.RUSAGE_CHILDREN)
		for i := 0; i < b.N; i++ {
			cmd := exec.Command(exe, "check", filepath.Join("..", "examples", "blocks", "token.json"))
			if out, err := cmd.Output(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
		b.ReportMetric(float64(cpuTime(syscall.RUSAGE_CHILDREN)-c0)/float64(b.N), "cpu-ns/op")
	})
}

// cpuTime is the user plus system CPU time of who (RUSAGE_SELF or
// RUSAGE_CHILDREN), in ns.
func cpuTime(who int) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
