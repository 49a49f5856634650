package diff

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/refereevm/referee/block"
)

const cheapChildEnv = "REFEREE_DIFF_CHEAP_CHILD"

// TestCheapDeadline is the 2^48-gas spin of issue 17 under the default
// --interrupt cheap: the verdict, engine-timeout, must come at the budget
// plus the grace, and the process must stay alive after it. Before the fix
// wazero's compiler ran on uninterrupted past the deadline in code Go cannot
// preempt, and the next garbage collection froze the whole process: the
// check had not returned after 60 s. The check runs in a child process (this
// test binary again) so that a frozen one can be killed; the child also
// forces a collection after the verdict.
func TestCheapDeadline(t *testing.T) {
	if os.Getenv(cheapChildEnv) == "1" {
		cheapDeadlineChild(t)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCheapDeadline$", "-test.v")
	cmd.Env = append(os.Environ(), cheapChildEnv+"=1")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("the check did not return in 60 s:\n%s", out)
	}
	if err != nil || !strings.Contains(string(out), "verdict engine-timeout") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	// Budget 2 s, grace 1 s; the rest is generous slack for a loaded machine.
	if took > 30*time.Second {
		t.Errorf("the check took %v", took)
	}
	t.Logf("verdict after %v", took.Round(time.Millisecond))
}

func cheapDeadlineChild(t *testing.T) {
	b := loadExample(t, "traps.json")
	var spin block.Tx
	for _, tx := range b.Txs {
		if tx.Entry == "spin" {
			spin = tx
		}
	}
	spin.GasLimit = block.MaxGasLimit
	b.Txs = []block.Tx{spin}
	es, err := Engines(AllEngineNames(), EngineConfig{Interruptible: true, NoWazeroInterrupt: true})
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.RunBudget = 2 * time.Second
	rep, err := CheckBlock(context.Background(), b, es, o)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC() // stops the world: waits for every goroutine to reach a safe point
	if rep.Divergence == nil {
		t.Fatal("no divergence")
	}
	fmt.Printf("verdict %s\n", rep.Divergence.Class)
}
