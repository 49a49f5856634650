package serve

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCheckRequest: whatever the body and the engines parameter, POST
// /v1/check answers below 500 (a verdict or a one-line 4xx), never panics,
// and the parser alone never panics either.
func FuzzCheckRequest(f *testing.F) {
	tok := inlineBlock(f, "token.json")
	f.Add(tok, "")
	f.Add(inlineBlock(f, "traps.json"), "reference,planted")
	f.Add([]byte(`{"version": 1, "pre": {"contracts": []}, "txs": []}`), "")
	f.Add([]byte(`{"version": 1, "pre": {"contracts": [{"address": "0x0000000000000000000000000000000000000001", "codeBase64": "AGFzbQEAAAA="}]}, "txs": [{"contract": "0x0000000000000000000000000000000000000001", "entry": "f", "gasLimit": 1}]}`), "reference")
	f.Add([]byte(strings.Repeat("[", 40)), "")
	f.Add([]byte(`{"version": 1, "pre": {"contracts": [{"address": "0x01", "code": "/etc/passwd"}]}, "txs": []}`), "v8")
	f.Add(tok[:len(tok)/2], ",")
	h := fuzzHandler(f)
	f.Fuzz(func(t *testing.T, body []byte, engines string) {
		parseBlock(body, DefaultMaxDepth) // must not panic
		req := httptest.NewRequest("POST", "/v1/check", bytes.NewReader(body))
		q := req.URL.Query()
		q.Set("engines", engines)
		req.URL.RawQuery = q.Encode()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code == 0 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		if rec.Code != http.StatusOK && bytes.Count(bytes.TrimSpace(rec.Body.Bytes()), []byte("\n")) != 0 {
			t.Fatalf("a %d answer of more than one line: %s", rec.Code, rec.Body)
		}
	})
}

// fuzzHandler is a service on the reference engine for the fuzz target,
// closed when the target ends. (A helper, not statements before f.Fuzz:
// the OSS-Fuzz build runs only the target's f.Fuzz body and what it calls.)
func fuzzHandler(tb testing.TB) http.Handler {
	s, err := New(Config{DataDir: tb.TempDir(), Engines: []string{"reference"}, RunBudget: 200_000_000})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s.Handler()
}
