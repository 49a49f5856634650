package softfloat

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// gasSample is the number of random operand records whose gas is measured
// per op (biased operands, gen_test.go), beside every edge record.
const gasSample = 2048

// gasBudget is the most any one float op may cost (net of the harness's
// call overhead). The verifier's goal is 200,000 gas for a whole simple-op
// proof, Merkle folding included, so one float op must stay a small
// fraction of it.
const gasBudget = 4_000

type gasRow struct {
	name                 string
	median, max, edgeMax uint64
}

// measureGas returns the median and the maximum gas of o over random
// operands, and the maximum over its edge records, each less the cost of
// the measuring window itself.
func measureGas(t *testing.T, h *harness, o op, seed uint64) gasRow {
	overhead, err := h.nopGas(o)
	if err != nil {
		t.Fatal(err)
	}
	r := newRNG(opSeed(seed, o.name) + 1)
	recs := make([]record, gasSample)
	for i := range recs {
		a, b := r.operands(o)
		recs[i] = makeRecord(a, b, o.ref(a, b))
	}
	gs, err := h.gasOf(o, recs)
	if err != nil {
		t.Fatal(err)
	}
	edges, _ := edgeRecords(o)
	var edgeMax uint64
	for start := 0; start < len(edges); start += gasSample {
		eg, err := h.gasOf(o, edges[start:min(start+gasSample, len(edges))])
		if err != nil {
			t.Fatal(err)
		}
		edgeMax = max(edgeMax, slices.Max(eg))
	}
	slices.Sort(gs)
	return gasRow{o.name, gs[len(gs)/2] - overhead, gs[len(gs)-1] - overhead, edgeMax - overhead}
}

// TestSoftFloatGas measures the gas of every op and holds each to
// gasBudget; `go test -v -run TestSoftFloatGas` prints the table.
func TestSoftFloatGas(t *testing.T) {
	h := newHarness(t)
	var tab strings.Builder
	fmt.Fprintf(&tab, "gas per op, direct call, net of the measuring window (%d biased random operands; edge = max over the edge records)\n", gasSample)
	fmt.Fprintf(&tab, "%-18s %8s %8s %8s\n", "op", "median", "max", "edge")
	for _, o := range ops {
		row := measureGas(t, h, o, randomSeed(t))
		fmt.Fprintf(&tab, "%-18s %8d %8d %8d\n", row.name, row.median, row.max, row.edgeMax)
		if worst := max(row.max, row.edgeMax); worst > gasBudget {
			t.Errorf("%s: %d gas, over the budget of %d", o.name, worst, gasBudget)
		}
	}
	t.Log("\n" + tab.String())
}
