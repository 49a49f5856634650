package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
)

// spinBlock is a block whose one transaction loops until its run budget
// ends (engine-timeout): a check that keeps a worker for the budget.
func spinBlock(t testing.TB) []byte {
	t.Helper()
	b, err := block.Load(filepath.Join("..", "examples", "blocks", "traps.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tx := range b.Txs {
		if tx.Entry == "spin" {
			tx.GasLimit = block.MaxGasLimit
			b.Txs = []block.Tx{tx}
			return b.JSON()
		}
	}
	t.Fatal("no spin transaction in traps.json")
	return nil
}

// waitQueue waits (at most 10 s) until /readyz reports running checks
// running and queued waiting.
func waitQueue(t testing.TB, url string, running, queued int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var rd struct{ Running, Queued int }
		json.Unmarshal(get(t, url+"/readyz").body, &rd)
		if rd.Running == running && rd.Queued == queued {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz: %d running, %d queued; want %d and %d", rd.Running, rd.Queued, running, queued)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestAdmission: with one worker and a queue of one, a third check is
// turned away with 429 and Retry-After while health, readiness and
// metrics answer at once; the two admitted checks finish.
func TestAdmission(t *testing.T) {
	_, ts := testServer(t, Config{Engines: []string{"reference"}, Workers: 1, Queue: 1, RunBudget: 600 * time.Millisecond})
	spin := spinBlock(t)
	var wg sync.WaitGroup
	answers := make([]answer, 2)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = postRaw(ts.URL+"/v1/check", spin)
		}()
		waitQueue(t, ts.URL, 1, i) // the first runs, the second queues
	}
	a := post(t, ts.URL+"/v1/check", inlineBlock(t, "token.json"))
	if a.code != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Errorf("third check: %d Retry-After %q %s, want 429 with Retry-After", a.code, a.header.Get("Retry-After"), a.body)
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		if a := get(t, ts.URL+p); a.code != 200 {
			t.Errorf("%s while the worker is busy: %d", p, a.code)
		}
	}
	var rd struct{ Running, Queued int }
	json.Unmarshal(get(t, ts.URL+"/readyz").body, &rd)
	if rd.Running != 1 || rd.Queued != 1 {
		t.Errorf("readyz says %d running, %d queued; want 1 and 1", rd.Running, rd.Queued)
	}
	wg.Wait()
	for i, a := range answers {
		w := decode(t, a)
		if w.Divergence == nil || w.Divergence.Class != diff.ClassEngineTimeout {
			t.Errorf("check %d: %+v, want an engine-timeout refusal", i, w)
		}
	}
}

// TestRequestDeadline: a check waiting in the queue past its request
// deadline gets 503 with Retry-After. The test holds
// the only worker itself (a check would give it back at its own deadline,
// a race with the queued one's).
func TestRequestDeadline(t *testing.T) {
	s, ts := testServer(t, Config{Engines: []string{"reference"}, Workers: 1, Queue: 4, RunBudget: time.Second, RequestTimeout: 300 * time.Millisecond})
	if err := s.adm.work(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.adm.done(0)
	a := post(t, ts.URL+"/v1/check", inlineBlock(t, "token.json"))
	if a.code != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" || !strings.Contains(string(a.body), "deadline") {
		t.Fatalf("queued past the deadline: %d %q %s", a.code, a.header.Get("Retry-After"), a.body)
	}
}

// TestToken: with a token, /v1/ needs it; health and metrics do not.
func TestToken(t *testing.T) {
	_, ts := testServer(t, Config{Engines: []string{"reference"}, Token: "s3cret"})
	tok := inlineBlock(t, "token.json")
	if a := post(t, ts.URL+"/v1/check", tok); a.code != 401 || a.header.Get("WWW-Authenticate") == "" {
		t.Fatalf("no token: %d", a.code)
	}
	if a := post(t, ts.URL+"/v1/check", tok, "Authorization", "Bearer wrong"); a.code != 401 {
		t.Fatalf("wrong token: %d", a.code)
	}
	if a := get(t, ts.URL+"/v1/refusals"); a.code != 401 {
		t.Fatalf("refusals without token: %d", a.code)
	}
	decode(t, post(t, ts.URL+"/v1/check", tok, "Authorization", "Bearer s3cret"))
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		if a := get(t, ts.URL+p); a.code != 200 {
			t.Errorf("%s: %d", p, a.code)
		}
	}
}

// TestStoreReopen: records written are read back after the store is
// closed and opened again, and ids keep increasing.
func TestStoreReopen(t *testing.T) {
	dir := t.TempDir()
	st, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := 0; i < 3; i++ {
		v := &VerdictRecord{BlockHash: fmt.Sprint(i)}
		if err := st.put(v, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
	st.close()
	if err := st.put(&VerdictRecord{}, nil); err != errStoreClosed {
		t.Fatalf("put after close: %v", err)
	}
	st, err = openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	v := &VerdictRecord{}
	if err := st.put(v, &RefusalRecord{Class: "x"}); err != nil {
		t.Fatal(err)
	}
	if !(ids[0] < ids[1] && ids[1] < ids[2] && ids[2] < v.ID) {
		t.Fatalf("ids %v then %s: not increasing", ids, v.ID)
	}
	var got VerdictRecord
	if ok, err := st.get(bucketVerdicts, ids[1], &got); !ok || err != nil || got.BlockHash != "1" {
		t.Fatalf("get %s: %v %v %+v", ids[1], ok, err, got)
	}
	list, more, err := st.refusals("", 10)
	if err != nil || more || len(list) != 1 || list[0].ID != v.ID {
		t.Fatalf("refusals %+v %v %v", list, more, err)
	}
}
