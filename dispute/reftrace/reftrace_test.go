package reftrace

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/trace"
)

func setupFile(t testing.TB, path, fn string, args ...trace.Value) Setup {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := FromModule(b, fn, args, trace.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rootByRun is the root after s steps computed the slow way: a fresh
// machine run from step 0.
func rootByRun(t *testing.T, setup Setup, s uint64) [32]byte {
	t.Helper()
	m, err := setup()
	if err != nil {
		t.Fatal(err)
	}
	if s > 0 {
		if _, err := m.Run(s); err != nil {
			t.Fatal(err)
		}
	}
	r, err := SnapshotRoot(m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRootAt checks checkpointed roots against fresh runs, for steps
// requested in an order that forces restores, forward moves and repeats.
func TestRootAt(t *testing.T) {
	setup := setupFile(t, "../../testdata/workloads/sha256.wasm", "run", trace.I32(200), trace.I32(1))
	tr, err := New(setup, 1000, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := tr.Len()
	if n < 10_000 {
		t.Fatalf("trace of %d steps: want a longer workload", n)
	}
	steps := []uint64{0, n, n / 2, n/2 + 1, n/2 + 999, 1, 999, 1000, 1001, n - 1, 3, n / 3, n / 3}
	for _, s := range steps {
		got, err := tr.RootAt(s)
		if err != nil {
			t.Fatalf("RootAt(%d): %v", s, err)
		}
		if want := rootByRun(t, setup, s); got != want {
			t.Fatalf("RootAt(%d) = %x, want %x", s, got[:4], want[:4])
		}
	}
	if _, err := tr.RootAt(n + 1); err == nil {
		t.Errorf("RootAt(n+1): no error")
	}
	// The reachable proofs check; a proof of the wrong step does not.
	c := ReexecChecker{Setup: setup}
	for _, s := range []uint64{0, 1, n / 2, n - 1} {
		p, err := tr.ProveStep(s)
		if err != nil {
			t.Fatal(err)
		}
		pre, _ := tr.RootAt(s)
		post, _ := tr.RootAt(s + 1)
		if ok, err := c.CheckStep(s, pre, post, p); !ok || err != nil {
			t.Fatalf("step %d: proof rejected: %v", s, err)
		}
		if ok, _ := c.CheckStep(s+1, pre, post, p); ok {
			t.Fatalf("step %d: proof accepted as step %d", s, s+1)
		}
		if ok, _ := c.CheckStep(s, pre, pre, p); ok {
			t.Fatalf("step %d: proof accepted with post = pre", s)
		}
	}
	t.Logf("%d steps, %d checkpoints, %d restores, %d steps re-executed", n, tr.Checkpoints(), tr.Restores, tr.Stepped)
}

// TestGames plays the honest party against every dishonest strategy on
// real reference-machine traces: the spec suite's fac and a workload.
func TestGames(t *testing.T) {
	for _, w := range []struct {
		name  string
		setup Setup
		every uint64
	}{
		{"fac", setupFile(t, "../../testdata/spectest/wasm-2.0/fac.0.wasm", "fac-iter", trace.I64(25)), 16},
		{"loop", setupFile(t, "../../testdata/workloads/loop.wasm", "run", trace.I64(3000)), 1024},
	} {
		tr, err := New(w.setup, w.every, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		init, err := tr.RootAt(0)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{2, 4, 16, 64} {
			for _, name := range []string{"wrong-final", "wrong-at", "shifted", "equivocate", "forge", "stall", "garbage"} {
				for _, hs := range []dispute.Side{dispute.Defender, dispute.Challenger} {
					t.Run(fmt.Sprintf("%s/n=%d/k=%d/%s/honest=%v", w.name, tr.Len(), k, name, hs), func(t *testing.T) {
						bad, err := dispute.NewStrategy(name, hs.Other(), tr)
						if err != nil {
							t.Fatal(err)
						}
						var ps [2]dispute.Party
						ps[hs], ps[hs.Other()] = dispute.NewHonest(hs, tr), bad
						cfg := dispute.Config{K: k, Steps: tr.Len(), Initial: init}
						g, err := dispute.Play(context.Background(), cfg, ReexecChecker{Setup: w.setup}, &dispute.Local{Parties: ps}, dispute.PlayOptions{})
						if err != nil {
							t.Fatal(err)
						}
						if r := g.Result(); r.Winner != hs {
							t.Fatalf("result %v, want %v to win", r, hs)
						}
					})
				}
			}
		}
	}
}

// TestMerkleGames plays the honest party against every dishonest strategy
// with the real state root and one-step proofs, checked by
// dispute.ProofChecker (the arbiter runs no machine).
func TestMerkleGames(t *testing.T) {
	for _, w := range []struct {
		name  string
		setup Setup
		every uint64
	}{
		{"fac", setupFile(t, "../../testdata/spectest/wasm-2.0/fac.0.wasm", "fac-rec", trace.I64(20)), 32},
		{"sha256", setupFile(t, "../../testdata/workloads/sha256.wasm", "run", trace.I32(64), trace.I32(1)), 1024},
		// step 2 calls spectest's print_i32: FromModule replays a recorded tape
		{"imports", setupFile(t, "../../cmd/referee/testdata/imports.wasm", "g"), 2},
	} {
		newTrace := func() *Trace {
			root, prove := Merkle()
			tr, err := New(w.setup, w.every, root, prove)
			if err != nil {
				t.Fatal(err)
			}
			return tr
		}
		tr := newTrace()
		init, _ := tr.RootAt(0)
		// Every proof an honest defender may be asked for must check.
		for _, s := range []uint64{0, 1, 2, tr.Len() / 2, tr.Len() - 1} {
			p, err := tr.ProveStep(s)
			if err != nil {
				t.Fatal(err)
			}
			pre, _ := tr.RootAt(s)
			post, _ := tr.RootAt(s + 1)
			if ok, err := (dispute.ProofChecker{}).CheckStep(s, pre, post, p); !ok {
				t.Fatalf("%s step %d: honest proof rejected: %v", w.name, s, err)
			}
		}
		for _, k := range []int{2, 4, 16, 64} {
			for _, name := range []string{"wrong-final", "wrong-at", "shifted", "equivocate", "forge", "stall", "garbage"} {
				for _, hs := range []dispute.Side{dispute.Defender, dispute.Challenger} {
					t.Run(fmt.Sprintf("%s/n=%d/k=%d/%s/honest=%v", w.name, tr.Len(), k, name, hs), func(t *testing.T) {
						// Each party has its own trace: they share nothing.
						bad, err := dispute.NewStrategy(name, hs.Other(), newTrace())
						if err != nil {
							t.Fatal(err)
						}
						var ps [2]dispute.Party
						ps[hs], ps[hs.Other()] = dispute.NewHonest(hs, tr), bad
						cfg := dispute.Config{K: k, Steps: tr.Len(), Initial: init}
						g, err := dispute.Play(context.Background(), cfg, dispute.ProofChecker{}, &dispute.Local{Parties: ps}, dispute.PlayOptions{})
						if err != nil {
							t.Fatal(err)
						}
						if r := g.Result(); r.Winner != hs {
							t.Fatalf("result %v, want %v to win", r, hs)
						}
					})
				}
			}
		}
	}
}

// TestMerkleIncremental checks the Committer-backed roots of Merkle
// against roots built from scratch, across restores and forward moves.
func TestMerkleIncremental(t *testing.T) {
	for _, setup := range []Setup{
		setupFile(t, "../../testdata/workloads/indirect.wasm", "run", trace.I32(300), trace.I32(1)),
		setupFile(t, "../../testdata/workloads/quicksort.wasm", "run", trace.I32(100), trace.I32(1)),
	} {
		checkIncremental(t, setup)
	}
}

func checkIncremental(t *testing.T, setup Setup) {
	root, prove := Merkle()
	tr, err := New(setup, 500, root, prove)
	if err != nil {
		t.Fatal(err)
	}
	n := tr.Len()
	for i, s := range []uint64{0, n, n / 2, n/2 + 1, n/2 + 499, 1, 499, 500, n - 1, 3, n / 3, n / 3, n/3 + 7} {
		if i%3 == 2 && s < n {
			if _, err := tr.ProveStep(s); err != nil {
				t.Fatal(err)
			}
		}
		got, err := tr.RootAt(s)
		if err != nil {
			t.Fatal(err)
		}
		m, err := setup()
		if err != nil {
			t.Fatal(err)
		}
		if s > 0 {
			if _, err := m.Run(s); err != nil {
				t.Fatal(err)
			}
		}
		if want := m.Root(); got != want {
			t.Fatalf("step %d: incremental root %x, from scratch %x", s, got[:4], want[:4])
		}
	}
	t.Logf("%d steps, %d restores, %d steps re-executed", n, tr.Restores, tr.Stepped)
}

// TestLongMerkleGames plays on a real trace of 1,300,008 steps (loop with
// n = 100000): every strategy, both sides, k ∈ {2, 4, 16, 64}.
func TestLongMerkleGames(t *testing.T) {
	if testing.Short() {
		t.Skip("a 1.3M-step trace")
	}
	setup := setupFile(t, "../../testdata/workloads/loop.wasm", "run", trace.I64(100000))
	newTrace := func() *Trace {
		root, prove := Merkle()
		tr, err := New(setup, 1<<14, root, prove)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	// Games run one after another, so the honest and the dishonest side
	// each keep one trace (its cursor is only a cache) across games.
	honest, other := newTrace(), newTrace()
	if honest.Len() < 1_000_000 {
		t.Fatalf("trace of %d steps, want ≥ 10^6", honest.Len())
	}
	init, _ := honest.RootAt(0)
	for _, k := range []int{2, 4, 16, 64} {
		for _, name := range []string{"wrong-final", "wrong-at", "shifted", "equivocate", "forge", "stall", "garbage"} {
			for _, hs := range []dispute.Side{dispute.Defender, dispute.Challenger} {
				bad, err := dispute.NewStrategy(name, hs.Other(), other)
				if err != nil {
					t.Fatal(err)
				}
				var ps [2]dispute.Party
				ps[hs], ps[hs.Other()] = dispute.NewHonest(hs, honest), bad
				cfg := dispute.Config{K: k, Steps: honest.Len(), Initial: init}
				g, err := dispute.Play(context.Background(), cfg, dispute.ProofChecker{}, &dispute.Local{Parties: ps}, dispute.PlayOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if r := g.Result(); r.Winner != hs {
					t.Fatalf("k=%d %s honest=%v: result %v, want %v to win", k, name, hs, r, hs)
				}
			}
		}
	}
	t.Logf("%d steps; honest trace: %d restores, %d steps re-executed", honest.Len(), honest.Restores, honest.Stepped)
}

// TestHTTPMerkleGame plays over HTTP on loopback on a real trace, each
// party with its own trace and its own goroutine.
func TestHTTPMerkleGame(t *testing.T) {
	setup := setupFile(t, "../../testdata/workloads/sha256.wasm", "run", trace.I32(64), trace.I32(1))
	newTrace := func() *Trace {
		root, prove := Merkle()
		tr, err := New(setup, 1024, root, prove)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	for _, tc := range []struct {
		strategy string
		honest   dispute.Side
	}{
		{"shifted", dispute.Challenger},
		{"forge", dispute.Challenger},
		{"wrong-at", dispute.Defender},
	} {
		t.Run(tc.strategy, func(t *testing.T) {
			tr := newTrace()
			init, _ := tr.RootAt(0)
			cfg := dispute.Config{K: 16, Steps: tr.Len(), Initial: init}
			bad, err := dispute.NewStrategy(tc.strategy, tc.honest.Other(), newTrace())
			if err != nil {
				t.Fatal(err)
			}
			var ps [2]dispute.Party
			ps[tc.honest], ps[tc.honest.Other()] = dispute.NewHonest(tc.honest, tr), bad
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			host := dispute.NewHTTPHost(cfg)
			srv := &http.Server{Handler: host}
			go func() { _ = srv.Serve(ln) }()
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			results := make(chan dispute.Result, 2)
			for s := dispute.Defender; s <= dispute.Challenger; s++ {
				c := &dispute.HTTPClient{URL: "http://" + ln.Addr().String(), Side: s, Party: ps[s]}
				go func() {
					r, err := c.Play(ctx)
					if err != nil {
						t.Errorf("%v client: %v", c.Side, err)
					}
					results <- r
				}()
			}
			g, err := dispute.Play(ctx, cfg, dispute.ProofChecker{}, host, dispute.PlayOptions{Round: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if r := g.Result(); r.Winner != tc.honest {
				t.Fatalf("result %v, want %v to win", r, tc.honest)
			}
			for range 2 {
				if r := <-results; r.Winner != tc.honest {
					t.Errorf("client saw %v", r)
				}
			}
		})
	}
}
