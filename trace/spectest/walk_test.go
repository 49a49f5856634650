package spectest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/refereevm/referee/trace"
)

// TestWalk walks fac.json: every invoke (its six assert_return; the
// assert_exhaustion is not an invocation Walk starts) is handed to visit once, numbered
// in order, and has one outcome line of its own; with a budget too small
// for the recursion the file is abandoned at the call that runs out.
func TestWalk(t *testing.T) {
	sc, err := ReadScript(specDir + "/fac.json")
	if err != nil {
		t.Fatal(err)
	}
	walk := func(budget uint64) ([]string, []Invocation, int) {
		m := trace.NewMachine(trace.Config{})
		m.RegisterSpectest()
		var seen []Invocation
		out, abandonedAt, err := sc.Walk(m, budget, func(inv Invocation) {
			if m.Status() != trace.StatusRunning {
				t.Errorf("line %d: the call is not started", inv.Line)
			}
			seen = append(seen, inv)
		})
		if err != nil {
			t.Fatal(err)
		}
		return out, seen, abandonedAt
	}
	out, seen, abandonedAt := walk(10_000_000)
	if abandonedAt != 0 || len(seen) != 6 || len(out) != len(seen) {
		t.Fatalf("abandoned at %d; %d invocations, %d outcomes", abandonedAt, len(seen), len(out))
	}
	for i, inv := range seen {
		if inv.N != i+1 {
			t.Errorf("invocation %d numbered %d", i+1, inv.N)
		}
		if want := fmt.Sprintf("line %d: ", inv.Line); !strings.HasPrefix(out[i], want) {
			t.Errorf("outcome %d is %q, for the invocation at line %d", i, out[i], inv.Line)
		}
	}
	short, seenShort, abandonedAt := walk(5)
	if abandonedAt == 0 || len(short) >= len(out) || len(seenShort) != len(short)+1 || seenShort[len(short)].Line != abandonedAt {
		t.Errorf("budget 5: abandoned at %d after %d outcomes of %d", abandonedAt, len(short), len(out))
	}
	for i := range short {
		if short[i] != out[i] {
			t.Errorf("budget 5: outcome %d is %q, not %q", i, short[i], out[i])
		}
	}
}
