package dispute

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

// playHTTP plays one game over HTTP on loopback: an arbiter server and
// two clients, each in its own goroutine.
func playHTTP(t *testing.T, cfg Config, checker StepChecker, parties [2]Party, round time.Duration) (*Game, [2]Result) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := NewHTTPHost(cfg)
	srv := &http.Server{Handler: host}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := "http://" + ln.Addr().String()
	type res struct {
		side Side
		r    Result
		err  error
	}
	done := make(chan res, 2)
	for s := Defender; s <= Challenger; s++ {
		c := &HTTPClient{URL: base, Side: s, Party: parties[s]}
		go func(s Side) {
			r, err := c.Play(ctx)
			done <- res{s, r, err}
		}(s)
	}
	g, err := Play(ctx, cfg, checker, host, PlayOptions{Round: round})
	if err != nil {
		t.Fatalf("play: %v", err)
	}
	var rs [2]Result
	for range 2 {
		r := <-done
		if r.err != nil {
			t.Fatalf("%v client: %v", r.side, r.err)
		}
		rs[r.side] = r.r
	}
	return g, rs
}

// TestHTTPHonestWins is TestHonestWins over HTTP on loopback, for traces
// of 10^6 steps.
func TestHTTPHonestWins(t *testing.T) {
	if testing.Short() {
		t.Skip("loopback games take seconds")
	}
	const n = 1_000_000
	tr := &SimTrace{Seed: seed(5), N: n}
	cfg := Config{Steps: n, Initial: SimRoot(seed(5), 0)}
	for _, k := range []int{2, 4, 16, 64} {
		for _, name := range strategyNames {
			if name == "stall" && k != 4 {
				continue // each stalling game waits out MaxIdle real rounds
			}
			for _, hs := range []Side{Defender, Challenger} {
				t.Run(fmt.Sprintf("k=%d/%s/honest=%v", k, name, hs), func(t *testing.T) {
					bad, err := NewStrategy(name, hs.Other(), tr)
					if err != nil {
						t.Fatal(err)
					}
					var ps [2]Party
					ps[hs], ps[hs.Other()] = NewHonest(hs, tr), bad
					round := 5 * time.Second
					if name == "stall" {
						round = 300 * time.Millisecond
					}
					c := cfg
					c.K = k
					g, rs := playHTTP(t, c, SimChecker{}, ps, round)
					r := g.Result()
					if r.Winner != hs {
						t.Fatalf("result %v, want %v to win; events %v", r, hs, g.Events())
					}
					if want := wantReason[name][hs]; want != ReasonNone && r.Reason != want {
						t.Errorf("reason %v, want %v", r.Reason, want)
					}
					for s, cr := range rs {
						if !cr.Over || cr.Winner != r.Winner || cr.Reason != r.Reason || cr.Step != r.Step {
							t.Errorf("%v client saw %v, arbiter %v", Side(s), cr, r)
						}
					}
				})
			}
		}
	}
}

// TestHTTPEndpoints checks the server's answers to malformed requests.
func TestHTTPEndpoints(t *testing.T) {
	host := NewHTTPHost(Config{K: 4, Steps: 10})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: host}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	c := &HTTPClient{URL: "http://" + ln.Addr().String(), Side: Challenger}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		path string
		body any
	}{
		{"move before the game", "/v1/move", &Move{Kind: KindPick}},
		{"bad claim", "/v1/claim", map[string]string{"root": "0x12"}},
		{"bad move", "/v1/move", map[string]string{"kind": "jump"}},
	} {
		if err := c.post(ctx, tc.path, tc.body); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if err := c.post(ctx, "/v1/claim", map[string]string{"root": Hex(seed(9))}); err != nil {
		t.Fatalf("claim: %v", err)
	}
	if err := c.post(ctx, "/v1/claim", map[string]string{"root": Hex(seed(9))}); err == nil {
		t.Errorf("second claim accepted")
	}
	st, err := c.poll(ctx, -1)
	if err != nil || st.Started || st.View.Steps != 10 || st.View.K != 4 {
		t.Fatalf("view %+v %v", st, err)
	}
	cctx, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	if _, err := host.Claim(cctx, Defender, 10); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("defender claim: %v", err)
	}
}
