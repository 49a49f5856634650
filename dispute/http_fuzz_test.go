package dispute

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// FuzzHTTPHost sends one hostile request (any method, path, query and
// body) to an arbiter that waits for the defender's move. The handler
// must never panic or answer 5xx, must answer bad input with a 4xx and
// one line, and must still work afterwards: a valid move by the side on
// turn is then accepted (unless the fuzzed request already was one) and
// delivered to the game.
func FuzzHTTPHost(f *testing.F) {
	f.Add("POST", "/v1/move", "side=defender", []byte(`{"kind":"split","roots":["0x`+strings.Repeat("00", 32)+`"]}`))
	f.Add("POST", "/v1/claim", "side=challenger", []byte(`{"root":"0x`+strings.Repeat("ab", 32)+`"}`))
	f.Add("POST", "/v1/claim", "side=defender", []byte(`{"root":"0x12"}`))
	f.Add("GET", "/v1/view", "side=challenger&after=-1", []byte(nil))
	f.Add("GET", "/v1/view", "side=defender&after=99999999999999999999", []byte(nil))
	f.Add("POST", "/v1/move", "side=challenger", []byte(`{"kind":"pick","index":-3}`))
	f.Add("POST", "/v1/move", "side=defender", []byte(strings.Repeat("[", 20000)))
	f.Add("DELETE", "/v1/../v1/move", "side=%zz", []byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, method, path, query string, body []byte) {
		h := NewHTTPHost(Config{K: 4, Steps: 100})
		got := make(chan *Move, 1)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		go func() {
			mv, _ := h.Exchange(ctx, Defender, View{K: 4, Steps: 100, Hi: 100, Gindex: 1})
			got <- mv
		}()
		waitTurn(t, h)

		req, err := http.NewRequest(method, "http://arbiter"+path+"?"+query, bytes.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		rctx, rcancel := context.WithTimeout(context.Background(), 20*time.Millisecond) // the long poll
		defer rcancel()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(rctx))
		switch c := rec.Code; {
		case c >= 500:
			t.Fatalf("%s %s?%s: %d %q", method, path, query, c, rec.Body.String())
		case c >= 400 && strings.Count(strings.TrimSuffix(rec.Body.String(), "\n"), "\n") != 0:
			t.Fatalf("%s %s?%s: %d, error is not one line: %q", method, path, query, c, rec.Body.String())
		}
		accepted := rec.Code == http.StatusAccepted && strings.Contains(path, "move")

		// The host still works: the side on turn can move.
		mv := httptest.NewRecorder()
		h.ServeHTTP(mv, httptest.NewRequest("POST", "/v1/move?side=defender", strings.NewReader(`{"kind":"split","roots":[]}`)))
		if !accepted && mv.Code != http.StatusAccepted {
			t.Fatalf("after %s %s?%s (%d): a valid move by the side on turn got %d %q", method, path, query, rec.Code, mv.Code, mv.Body.String())
		}
		if m := <-got; m == nil {
			t.Fatalf("after %s %s?%s (%d): the game received no move", method, path, query, rec.Code)
		}
	})
}

// waitTurn waits until h is waiting for a move.
func waitTurn(t *testing.T, h *HTTPHost) {
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		h.mu.Lock()
		w := h.waiting
		h.mu.Unlock()
		if w {
			return
		}
		runtime.Gosched()
	}
	t.Fatal("Exchange never waited for a move")
}
