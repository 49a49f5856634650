package fuzz

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/wasm"
)

var mergePlanted = []wasm.Opcode{wasm.OpI64RemS, wasm.OpI32Rotl, wasm.OpF64Sqrt, wasm.OpI32Popcnt, wasm.OpF32Min, wasm.OpI64Ctz}

// campaignDir runs a fake-oracle campaign of seed into a new findings
// directory, minimizing every finding (so sizes differ between
// campaigns), and returns it.
func campaignDir(t *testing.T, seed uint64) string {
	t.Helper()
	dir := t.TempDir()
	st, err := corpus.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := &Campaign{Seed: seed, Workers: 2, Execs: 60, Oracle: &fakeOracle{planted: mergePlanted}, Store: st, MinimizeTries: 40}
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// snapshot reads every file of a findings directory (the lock file aside).
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		if e.Name() == ".lock" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// bestBySignature is what a merge must keep: per signature, the smallest
// reproducer of all the directories' findings (ties: the smaller ID).
func bestBySignature(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	best := map[string]*corpus.Finding{}
	for _, d := range dirs {
		fs, err := corpus.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			b := best[f.Signature]
			if b == nil || f.ReproducerSize() < b.ReproducerSize() || f.ReproducerSize() == b.ReproducerSize() && f.ID < b.ID {
				best[f.Signature] = f
			}
		}
	}
	out := map[string]string{}
	for sig, f := range best {
		out[sig] = f.ID
	}
	return out
}

func idsBySignature(t *testing.T, dir string) map[string]string {
	t.Helper()
	fs, err := corpus.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range fs {
		if prev, dup := out[f.Signature]; dup {
			t.Fatalf("%s holds two findings of %s: %s and %s", dir, f.Signature, prev, f.ID)
		}
		out[f.Signature] = f.ID
	}
	return out
}

// TestMerge merges the findings of three campaigns: one finding per
// signature, the smallest reproducer of all; every kept finding replays
// its own files; merging again changes nothing; the order of the
// directories does not matter.
func TestMerge(t *testing.T) {
	a, b, c := campaignDir(t, 1), campaignDir(t, 2), campaignDir(t, 3)
	want := bestBySignature(t, a, b, c)
	if len(want) < 3 {
		t.Fatalf("the campaigns found only %d signatures", len(want))
	}
	dest := t.TempDir()
	st, err := corpus.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	acts, err := st.Merge(a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := idsBySignature(t, dest); !reflect.DeepEqual(got, want) {
		t.Fatalf("merged:\n%v\nwant the smallest reproducers:\n%v", got, want)
	}
	for _, act := range acts {
		if act.Action != "added" {
			t.Errorf("%s: %s into an empty store", act.Signature, act.Action)
		}
	}
	for _, f := range mustList(t, st) {
		if _, err := st.Module(f.ID); err != nil {
			t.Errorf("%s: %v", f.ID, err)
		}
		if f.Minimized != nil {
			if _, err := st.MinModule(f.ID); err != nil {
				t.Errorf("%s: %v", f.ID, err)
			}
		}
	}

	before := snapshot(t, dest)
	again, err := st.Merge(a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range again {
		if act.Action != "kept" {
			t.Errorf("second merge: %s %s", act.Signature, act.Action)
		}
	}
	if after := snapshot(t, dest); !reflect.DeepEqual(before, after) {
		t.Fatal("merging again changed the store")
	}

	// Another order, and in two steps with the store as a source.
	dest2 := t.TempDir()
	st2, err := corpus.Open(dest2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st2.Merge(c); err != nil {
		t.Fatal(err)
	}
	if _, err := st2.Merge(b, a); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(snapshot(t, dest), snapshot(t, dest2)) {
		t.Fatal("merging in another order gave another store")
	}
}

func mustList(t *testing.T, st *corpus.Store) []*corpus.Finding {
	t.Helper()
	fs, err := st.List()
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// TestMergeBesideCampaign merges directories into a store while a
// campaign writes to it through another Store value (as another process
// would, with its own lock descriptor): no signature is ever held twice,
// no record is left without its module, nothing temporary is left, every
// signature of the sources and of the campaign ends up in the store, and
// a final merge leaves it the smallest reproducers of all.
func TestMergeBesideCampaign(t *testing.T) {
	srcs := []string{campaignDir(t, 11), campaignDir(t, 12)}
	dest := t.TempDir()
	camp, err := corpus.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	var sum *Summary
	go func() {
		defer wg.Done()
		c := &Campaign{Seed: 13, Workers: 2, Execs: 150, Oracle: &fakeOracle{planted: mergePlanted}, Store: camp, MinimizeTries: 40}
		var err error
		if sum, err = c.Run(ctx); err != nil {
			t.Error(err)
		}
	}()
	merges := 0
	finished := waitDone(&wg)
	for done := false; !done; {
		select {
		case <-finished:
			done = true
		default:
		}
		other, err := corpus.Open(dest) // another process's view of the store
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Merge(srcs...); err != nil {
			t.Fatal(err)
		}
		merges++
		idsBySignature(t, dest) // fails on a signature held twice
	}
	if merges < 2 {
		t.Logf("only %d merges ran during the campaign", merges)
	}
	final, err := corpus.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := final.Merge(srcs...); err != nil {
		t.Fatal(err)
	}
	got := idsBySignature(t, dest)
	for _, r := range sum.Signatures {
		if got[r.Signature] == "" {
			t.Errorf("the campaign's signature %s is not in the store", r.Signature)
		}
	}
	want := bestBySignature(t, append([]string{dest}, srcs...)...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the final merge:\n%v\nwant:\n%v", got, want)
	}
	ents, _ := os.ReadDir(dest)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
		if strings.HasPrefix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if id, ok := strings.CutSuffix(n, ".json"); ok && !bytes.Contains([]byte(strings.Join(names, " ")), []byte(id+".wasm")) {
			t.Errorf("record %s without its module", n)
		}
	}
	t.Logf("%d merges during the campaign; %d signatures kept", merges, len(got))
}

func waitDone(wg *sync.WaitGroup) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		wg.Wait()
		close(ch)
	}()
	return ch
}
