package dispute

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/trace/spectest"
)

// The spec-suite every-step proof test: for every assert_return and
// assert_trap invocation of the Wasm 2.0 suite (wast2json output), every
// one of its first maxProvenSteps steps is proven and verified against
// the machine's next root. Invocations run on one machine per file, as
// the spec runner does, so later commands see the store earlier ones left.

const maxProvenSteps = 10_000

// specStats counts what the spec test proved.
type specStats struct {
	mu                           sync.Mutex
	invocations, steps, unproven int
	hostCalls                    uint64
	notProvable                  map[string]int
	largest                      map[string]sizeAt // per proofClass
}

// sizeAt is a proof size and where it was seen.
type sizeAt struct {
	bytes int
	where string
}

// note records proof p of an op of class cl if it is the largest so far.
func (st *specStats) note(cl string, bytes int, where string) {
	if st.largest == nil {
		st.largest = map[string]sizeAt{}
	}
	if cur, ok := st.largest[cl]; !ok || bytes > cur.bytes || (bytes == cur.bytes && where < cur.where) {
		st.largest[cl] = sizeAt{bytes, where}
	}
}

// add merges one file's counts into st.
func (st *specStats) add(f *specStats) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.invocations += f.invocations
	st.steps += f.steps
	st.unproven += f.unproven
	st.hostCalls += f.hostCalls
	for k, n := range f.notProvable {
		st.notProvable[k] += n
	}
	for cl, x := range f.largest {
		st.note(cl, x.bytes, x.where)
	}
}

// runSpecFile runs one command file twice, as the honest party of a
// dispute would: once recording its host calls (spectest's print
// functions) on one machine, then on a second machine replaying that tape,
// proving every step of its invocations (every k-th invocation when
// k > 1).
func runSpecFile(t *testing.T, path string, k int, st *specStats) {
	sc, err := spectest.ReadScript(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := trace.NewMachine(trace.Config{})
	rec.RegisterSpectest()
	if err := rec.RecordHost(); err != nil {
		t.Fatal(err)
	}
	want := runSpecCommands(t, path, sc, rec, 0, nil)
	m := trace.NewMachine(trace.Config{})
	m.RegisterSpectest()
	if err := m.ReplayHost(rec.HostTape()); err != nil {
		t.Fatal(err)
	}
	got := runSpecCommands(t, path, sc, m, k, st)
	if m.HostCalls() != rec.HostCalls() || m.HostCalls() != uint64(len(rec.HostTape())) {
		t.Fatalf("%s: replay took %d host calls, the recording made %d", path, m.HostCalls(), rec.HostCalls())
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d invocations replayed, %d recorded", path, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: invocation %d: replayed %s, recorded %s", path, i, got[i], want[i])
		}
	}
	st.hostCalls += m.HostCalls()
}

// runSpecCommands runs the commands of a file on m; with st set it proves
// every step of every k-th invocation. It returns each invocation's
// outcome.
func runSpecCommands(t *testing.T, path string, sc *spectest.Script, m *trace.Machine, k int, st *specStats) []string {
	var c *trace.Committer
	if st != nil {
		c = trace.NewCommitter(m)
	}
	outcomes, abandonedAt, err := sc.Walk(m, 10_000_000, func(inv spectest.Invocation) {
		prove := st != nil && inv.Command != "action" && (k <= 1 || inv.N%k == 0)
		if prove {
			st.invocations++
		}
		for i := 0; prove && i < maxProvenSteps && m.Status() == trace.StatusRunning; i++ {
			p, err := stepAndCheck(t, c)
			if err == nil {
				info, _ := DescribeProof(p.Bytes)
				st.note(proofClass(info.Op), len(p.Bytes), fmt.Sprintf("%s:%d %s", filepath.Base(path), inv.Line, info.Op))
			} else {
				if !errors.Is(err, ErrNotProvable) {
					t.Fatalf("%s line %d: %v", path, inv.Line, err)
				}
				msg := err.Error()
				if strings.Contains(msg, "host function") {
					msg = "not provable yet: call to a host function"
				}
				st.notProvable[msg]++
				st.unproven++
			}
			st.steps++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if abandonedAt != 0 {
		t.Logf("%s line %d: still running after 10^7 steps; file abandoned", path, abandonedAt)
	}
	return outcomes
}

// TestSpecEveryStepProof proves every step of the spec suite's
// invocations: about 24,000 invocations and 1.17 million steps, 1.5
// minutes on two cores. With -short or SPEC_PROOFS=sample it proves every
// 25th invocation of each file instead (a few seconds); both cover every
// file. No step may be unprovable.
func TestSpecEveryStepProof(t *testing.T) {
	testSpecEveryStepProof(t, specDir)
}

// TestSIMDSpecEveryStepProof does the same for the SIMD part of the suite
// (testdata/spectest/wasm-2.0-simd): every step of every invocation, up
// to 10,000 steps each, proven and verified against the machine's next
// root, always (all of them; the suite's invocations are short).
func TestSIMDSpecEveryStepProof(t *testing.T) {
	testSpecEveryStepProof(t, simdSpecDir)
}

const simdSpecDir = "../testdata/spectest/wasm-2.0-simd/"

func testSpecEveryStepProof(t *testing.T, specDir string) {
	files, err := filepath.Glob(specDir + "*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no spec command files: %v", err)
	}
	k := 1
	if (testing.Short() || os.Getenv("SPEC_PROOFS") == "sample") && specDir != simdSpecDir {
		k = 25
	}
	st := &specStats{notProvable: map[string]int{}}
	t.Run("files", func(t *testing.T) {
		for _, f := range files {
			t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
				t.Parallel()
				fs := &specStats{notProvable: map[string]int{}}
				runSpecFile(t, f, k, fs)
				st.add(fs)
			})
		}
	})
	keys := make([]string, 0, len(st.notProvable))
	for m := range st.notProvable {
		keys = append(keys, m)
	}
	sort.Strings(keys)
	for _, m := range keys {
		t.Logf("%d× %s", st.notProvable[m], m)
	}
	classes := make([]string, 0, len(st.largest))
	for cl := range st.largest {
		classes = append(classes, cl)
	}
	sort.Strings(classes)
	for _, cl := range classes {
		t.Logf("largest %s proof: %d B (%s)", cl, st.largest[cl].bytes, st.largest[cl].where)
	}
	t.Logf("%d invocations, %d steps proven and verified (%d host calls replayed from tapes), %d not provable yet", st.invocations, st.steps-st.unproven, st.hostCalls, st.unproven)
	if st.unproven != 0 {
		t.Errorf("%d steps not provable", st.unproven)
	}
}
