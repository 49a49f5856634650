package verifier

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/onchain/evm"
	"github.com/refereevm/referee/trace"
)

// The differential tests: every proof is checked by dispute.Verify and by
// OneStepVerifier in the EVM, and the two must agree exactly — the same
// post-state root (which must be the machine's next root), or both reject —
// and every verification must fit in one transaction (2^24 gas).
// A float step the Go verifier accepts and the EVM rejects only because its
// SoftFloat routine is not written yet is counted as pending, never as
// passing.

// sample is one proof kept for the bit-flip test.
type sample struct {
	where string
	pre   [32]byte
	proof []byte
	post  [32]byte
}

// diffStats gathers what a differential run checked and what it cost.
type diffStats struct {
	mu         sync.Mutex
	steps      int
	same       int
	bothReject int
	pending    map[string]int // float ops waiting for SoftFloat
	gas        map[string][]uint64
	bytes      map[string][]int
	evmWall    time.Duration
	goWall     time.Duration
	samples    map[string][]sample
}

func newDiffStats() *diffStats {
	return &diffStats{pending: map[string]int{}, gas: map[string][]uint64{}, bytes: map[string][]int{}, samples: map[string][]sample{}}
}

// shared collects the figures of every differential test of a run, for
// TestMain's report (ONCHAIN_FIGURES=FILE).
var shared = newDiffStats()

// opClass names an op's instruction class for the gas tables.
func opClass(op string, hostCall bool) string {
	if cl, ok := simdClass[op]; ok {
		return cl
	}
	switch {
	case hostCall:
		return "host call"
	case op == "local.get" || op == "local.set" || op == "local.tee":
		return "local"
	case op == "global.get" || op == "global.set":
		return "global"
	case strings.Contains(op, ".load"):
		return "load"
	case strings.Contains(op, ".store"):
		return "store"
	case op == "call":
		return "call"
	case op == "call_indirect":
		return "call_indirect"
	case op == "br_table":
		return "br_table"
	case op == "return" || op == "end" || op == "br" || op == "br_if":
		return "control" // the function-final end and branches to the function's label return
	case op == "block" || op == "loop" || op == "if" || op == "else" || op == "nop" || op == "unreachable":
		return "control"
	case op == "memory.size" || op == "memory.grow":
		return "memory.size/grow"
	case op == "memory.fill" || op == "memory.copy" || op == "memory.init":
		return "bulk memory"
	case op == "data.drop" || op == "elem.drop":
		return "segment drop"
	case op == "table.copy" || op == "table.init":
		return "bulk table"
	case strings.HasPrefix(op, "table."):
		return "table"
	case strings.HasPrefix(op, "f32.") || strings.HasPrefix(op, "f64.") || strings.Contains(op, "trunc") ||
		strings.Contains(op, "convert") || strings.Contains(op, "demote") || strings.Contains(op, "promote"):
		if strings.HasSuffix(op, ".abs") || strings.HasSuffix(op, ".neg") || strings.HasSuffix(op, ".copysign") ||
			strings.Contains(op, "reinterpret") || strings.HasSuffix(op, ".const") {
			return "numeric"
		}
		return "float"
	}
	return "numeric" // constants, drop, select, references, integer ops
}

// isHostCall reports whether a proof is of a host call: a pending entry host
// function, or a call whose op leaf names a host callee.
func isHostCall(p []byte) bool {
	if len(p) < 328 {
		return false
	}
	if p[3] != 0 {
		return true
	}
	n := binary.BigEndian.Uint32(p[188:192])
	d := 0
	for uint64(1)<<d < uint64(n) {
		d++
	}
	at := 1 + 327 + 77 + 32*d
	if at+32 > len(p) {
		return false
	}
	return binary.BigEndian.Uint16(p[at:]) == 0x10 && p[at+22] != 0
}

// check verifies one proof both ways. want is the machine's root after the
// step (nil: unknown). It returns an error describing any disagreement.
func (st *diffStats) check(v *Verifier, where string, pre [32]byte, proof []byte, want *[32]byte) error {
	info, _ := dispute.DescribeProof(proof)
	cl := opClass(info.Op, isHostCall(proof))
	t0 := time.Now()
	goPost, goErr := dispute.Verify(pre, proof)
	goWall := time.Since(t0)
	o, evmErr := v.Verify(pre, proof)
	st.mu.Lock()
	defer st.mu.Unlock()
	st.steps++
	st.goWall += goWall
	st.evmWall += o.Wall
	where = fmt.Sprintf("%s (%s)", where, info.Op)
	switch {
	case goErr == nil && errors.Is(evmErr, ErrFloatPending):
		st.pending[info.Op]++
		return nil
	case goErr != nil && evmErr != nil:
		st.bothReject++
		return nil
	case goErr != nil:
		return fmt.Errorf("%s: Go rejects (%v), the EVM returns %x", where, goErr, o.Post)
	case evmErr != nil:
		return fmt.Errorf("%s: the EVM rejects (%v), Go returns %x", where, evmErr, goPost)
	case goPost != o.Post:
		return fmt.Errorf("%s: the EVM returns %x, Go %x", where, o.Post, goPost)
	case want != nil && *want != goPost:
		return fmt.Errorf("%s: both return %x, the machine's root is %x", where, goPost, *want)
	case o.TxGas > evm.MaxTxGas:
		return fmt.Errorf("%s: %d gas does not fit in one transaction (EIP-7825: %d)", where, o.TxGas, evm.MaxTxGas)
	}
	st.same++
	st.gas[cl] = append(st.gas[cl], o.TxGas)
	st.bytes[cl] = append(st.bytes[cl], o.Calldata)
	if len(st.samples[cl]) < 2 {
		st.samples[cl] = append(st.samples[cl], sample{where, pre, append([]byte(nil), proof...), goPost})
	}
	return nil
}

// merge adds st's counts into shared.
func (st *diffStats) merge() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	shared.steps += st.steps
	shared.same += st.same
	shared.bothReject += st.bothReject
	shared.goWall += st.goWall
	shared.evmWall += st.evmWall
	for k, n := range st.pending {
		shared.pending[k] += n
	}
	for k, g := range st.gas {
		shared.gas[k] = append(shared.gas[k], g...)
		shared.bytes[k] = append(shared.bytes[k], st.bytes[k]...)
	}
	for k, s := range st.samples {
		if len(shared.samples[k]) < 3 {
			shared.samples[k] = append(shared.samples[k], s...)
		}
	}
}

// summary logs the counts and, when any float step is pending, says so.
func (st *diffStats) summary(t *testing.T) {
	t.Helper()
	st.mu.Lock()
	defer st.mu.Unlock()
	pend := 0
	keys := make([]string, 0, len(st.pending))
	for k, n := range st.pending {
		pend += n
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("%d proofs: %d same post-root on both, %d rejected by both, %d float steps pending SoftFloat", st.steps, st.same, st.bothReject, pend)
	if pend > 0 {
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, st.pending[k])
		}
		t.Logf("PENDING (not passing): %s", strings.Join(parts, ", "))
	}
}

// stepBoth proves the machine's next step, checks it both ways against the
// machine's next root, and steps the machine.
func stepBoth(t testing.TB, v *Verifier, st *diffStats, c *trace.Committer, where string) {
	t.Helper()
	m := c.Machine()
	pre := c.Root()
	p, err := dispute.Prove(c)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	if _, err := m.Step(); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	want := c.Root()
	if err := st.check(v, fmt.Sprintf("%s step %d", where, m.Steps()), pre, p.Bytes, &want); err != nil {
		t.Fatal(err)
	}
	if m.Status() == trace.StatusTrapped {
		st.mu.Lock()
		if len(st.samples["trap"]) < 6 {
			st.samples["trap"] = append(st.samples["trap"], sample{where, pre, p.Bytes, want})
		}
		st.mu.Unlock()
	}
}

func newVerifier(t testing.TB) *Verifier {
	t.Helper()
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMain(m *testing.M) {
	code := m.Run()
	if f := os.Getenv("ONCHAIN_FIGURES"); f != "" && code == 0 {
		if err := os.WriteFile(f, []byte(shared.table()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// table formats the gas table: per class, count, median and max gas and
// calldata bytes.
func (st *diffStats) table() string {
	var b strings.Builder
	keys := make([]string, 0, len(st.gas))
	for k := range st.gas {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(&b, "| class | proofs | median gas | max gas | median calldata B | max calldata B |\n|---|--:|--:|--:|--:|--:|\n")
	for _, k := range keys {
		g := append([]uint64(nil), st.gas[k]...)
		sort.Slice(g, func(i, j int) bool { return g[i] < g[j] })
		c := append([]int(nil), st.bytes[k]...)
		sort.Ints(c)
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d |\n", k, len(g), g[len(g)/2], g[len(g)-1], c[len(c)/2], c[len(c)-1])
	}
	fmt.Fprintf(&b, "\n%d proofs checked, %d same root, %d both reject, pending floats %v\n", st.steps, st.same, st.bothReject, st.pending)
	if st.steps > 0 {
		fmt.Fprintf(&b, "wall per proof: dispute.Verify %v, EVM %v (ratio %.1f)\n",
			st.goWall/time.Duration(st.steps), st.evmWall/time.Duration(st.steps), float64(st.evmWall)/float64(st.goWall))
	}
	return b.String()
}
