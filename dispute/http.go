package dispute

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// HTTP endpoints of the arbiter (docs/dispute.md):
//
//	GET  /v1/view?side=S&after=N   long poll: the state once its version exceeds N
//	POST /v1/claim?side=S          {"root": "0x…"}: the side's claimed final root
//	POST /v1/move?side=S           a move (move.go's JSON form), accepted only while S is on turn
//
// The game logic never sees wall time: HTTPHost is a Transport, and a move
// that does not arrive within the arbiter's round (PlayOptions.Round) is
// "no move" for that round.

// httpState is the body of GET /v1/view.
type httpState struct {
	Version  uint64 `json:"version"`
	Started  bool   `json:"started"`  // both claims are in and the game runs
	YourTurn bool   `json:"yourTurn"` // the arbiter is waiting for this side's move
	Over     bool   `json:"over"`
	View     View   `json:"view"`
}

// pollHold is how long GET /v1/view holds a request when nothing changes.
const pollHold = 5 * time.Second

// HTTPHost is the arbiter's end of the HTTP transport: a Transport for
// Play and an http.Handler for the two parties' clients.
type HTTPHost struct {
	mu      sync.Mutex
	changed chan struct{} // closed on every change, then replaced
	version uint64
	view    View
	started bool
	over    bool
	waiting bool // an Exchange waits for pending's move
	pending Side
	moves   chan *Move
	claims  [2]*[32]byte
}

// NewHTTPHost returns a host for a game over cfg (shown to clients before
// the game starts so that they can state their claims).
func NewHTTPHost(cfg Config) *HTTPHost {
	return &HTTPHost{
		changed: make(chan struct{}),
		view:    View{K: cfg.K, Steps: cfg.Steps, LoRoot: cfg.Initial, Hi: cfg.Steps, Gindex: 1},
		moves:   make(chan *Move, 1),
	}
}

// bump publishes a change; h.mu must be held.
func (h *HTTPHost) bump() {
	h.version++
	close(h.changed)
	h.changed = make(chan struct{})
}

// Claim waits for side's claim.
func (h *HTTPHost) Claim(ctx context.Context, side Side, _ uint64) ([32]byte, error) {
	for {
		h.mu.Lock()
		c, ch := h.claims[side], h.changed
		h.mu.Unlock()
		if c != nil {
			return *c, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return [32]byte{}, fmt.Errorf("waiting for the %v's claim: %w", side, ctx.Err())
		}
	}
}

// Exchange publishes v and waits for side's move until ctx ends.
func (h *HTTPHost) Exchange(ctx context.Context, side Side, v View) (*Move, error) {
	h.mu.Lock()
	select { // drop a move left over from an earlier round
	case <-h.moves:
	default:
	}
	h.view, h.started, h.waiting, h.pending = v, true, true, side
	h.bump()
	h.mu.Unlock()
	select {
	case mv := <-h.moves:
		return mv, nil
	case <-ctx.Done():
	}
	h.mu.Lock()
	h.waiting = false
	h.mu.Unlock()
	select { // a move that raced the deadline still counts
	case mv := <-h.moves:
		return mv, nil
	default:
		return nil, nil
	}
}

// Finish publishes the final view.
func (h *HTTPHost) Finish(_ context.Context, v View) {
	h.mu.Lock()
	h.view, h.over, h.waiting = v, true, false
	h.bump()
	h.mu.Unlock()
}

// ServeHTTP implements the three endpoints.
func (h *HTTPHost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	side, err := ParseSide(r.URL.Query().Get("side"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/view":
		h.serveView(w, r, side)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/claim":
		var body struct {
			Root string `json:"root"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<10)).Decode(&body); err != nil {
			http.Error(w, "claim: "+err.Error(), http.StatusBadRequest)
			return
		}
		root, err := ParseRoot(body.Root)
		if err != nil {
			http.Error(w, "claim: "+err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.claims[side] != nil {
			http.Error(w, "claim: already stated", http.StatusConflict)
			return
		}
		h.claims[side] = &root
		h.bump()
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/move":
		var mv Move
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<24)).Decode(&mv); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if !h.waiting || h.pending != side {
			http.Error(w, fmt.Sprintf("move: %v", ErrNotYourTurn), http.StatusConflict)
			return
		}
		select {
		case h.moves <- &mv:
			h.waiting = false
			w.WriteHeader(http.StatusAccepted)
		default:
			http.Error(w, "move: already received this round", http.StatusConflict)
		}
	default:
		http.Error(w, "unknown endpoint", http.StatusNotFound)
	}
}

func (h *HTTPHost) serveView(w http.ResponseWriter, r *http.Request, side Side) {
	after := int64(-1)
	if s := r.URL.Query().Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			http.Error(w, "after: "+err.Error(), http.StatusBadRequest)
			return
		}
		after = n
	}
	timer := time.NewTimer(pollHold)
	defer timer.Stop()
	for {
		h.mu.Lock()
		st := httpState{Version: h.version, Started: h.started, Over: h.over,
			YourTurn: h.waiting && h.pending == side, View: h.view}
		ch := h.changed
		h.mu.Unlock()
		if int64(st.Version) > after {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(st)
			return
		}
		select {
		case <-ch:
		case <-timer.C:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(st)
			return
		case <-r.Context().Done():
			return
		}
	}
}

// HTTPClient is a party's end of the HTTP transport.
type HTTPClient struct {
	URL    string // the arbiter's base URL, e.g. http://127.0.0.1:8547
	Side   Side
	Party  Party
	Client *http.Client // nil: http.DefaultClient
	// OnMove, if set, is called with every move the party sends.
	OnMove func(*Move)
}

func (c *HTTPClient) client() *http.Client {
	if c.Client != nil {
		return c.Client
	}
	return http.DefaultClient
}

func (c *HTTPClient) endpoint(path string, q url.Values) string {
	q.Set("side", c.Side.String())
	return c.URL + path + "?" + q.Encode()
}

func (c *HTTPClient) post(ctx context.Context, path string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(path, url.Values{}), bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

func (c *HTTPClient) poll(ctx context.Context, after int64) (httpState, error) {
	var st httpState
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint("/v1/view", url.Values{"after": {strconv.FormatInt(after, 10)}}), nil)
	if err != nil {
		return st, err
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		return st, fmt.Errorf("GET /v1/view: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<24)).Decode(&st)
	return st, err
}

// Play states the party's claim, then answers every round in which the
// arbiter waits for it, until the game is over; it returns the final
// result. A rejected POST is not fatal (the arbiter records the round).
func (c *HTTPClient) Play(ctx context.Context) (Result, error) {
	st, err := c.poll(ctx, -1)
	if err != nil {
		return Result{}, err
	}
	claim, err := c.Party.Claim(st.View.Steps)
	if err != nil {
		return Result{}, fmt.Errorf("claim: %w", err)
	}
	if err := c.post(ctx, "/v1/claim", map[string]string{"root": Hex(claim)}); err != nil {
		return Result{}, err
	}
	acted, failures := uint64(0), 0
	for {
		if st.Over {
			return st.View.Result, nil
		}
		if st.YourTurn && st.Version != acted {
			acted = st.Version
			mv, err := c.Party.Move(st.View)
			if err == nil && mv != nil {
				if c.OnMove != nil {
					c.OnMove(mv)
				}
				_ = c.post(ctx, "/v1/move", mv)
			}
		}
		next, err := c.poll(ctx, int64(st.Version))
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return Result{}, err
			}
			// A transient failure: retry after a pause, with the same version.
			if failures++; failures > 20 {
				return Result{}, err
			}
			select {
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
				return Result{}, ctx.Err()
			}
			continue
		}
		st, failures = next, 0
	}
}
