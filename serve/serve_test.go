package serve

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/refereevm/referee"
	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
)

// The commitments referee check prints for the example blocks.
var exampleCommitments = map[string]string{
	"token.json": "0xe819613cba3a285bea9975ec05b286306a911726ec7e689fcb28616cae994ea4",
	"mixed.json": "0x668ce195f72b15f0117a5787ff679970e64065aa2315f5b13f4d38022c3dcf44",
	"traps.json": "0x77cef6b03f3e65550741c0e91012e922b43f2c98ae88da8d0ddd125b89aa114e",
}

// inlineBlock is an example block as a request body: its code inlined.
func inlineBlock(t testing.TB, name string) []byte {
	t.Helper()
	b, err := block.Load(filepath.Join("..", "examples", "blocks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b.JSON()
}

// testServer starts a Server on 127.0.0.1 (httptest) over a temporary
// data directory.
func testServer(t testing.TB, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return s, ts
}

type answer struct {
	code   int
	header http.Header
	body   []byte
}

func post(t testing.TB, url string, body []byte, hdr ...string) answer {
	t.Helper()
	return do(t, "POST", url, bytes.NewReader(body), hdr...)
}

func get(t testing.TB, url string, hdr ...string) answer {
	t.Helper()
	return do(t, "GET", url, nil, hdr...)
}

// do sends one request with the header pairs hdr (name, value, …) and
// reads the whole answer.
func do(t testing.TB, method, url string, body io.Reader, hdr ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

// postRaw is post for other goroutines: a transport error is status 0.
func postRaw(url string, body []byte) answer {
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return answer{body: []byte(err.Error())}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

// wire is the answer of POST /v1/check as a client reads it.
type wire struct {
	ID         string
	Agree      bool
	Commitment string
	Engines    []string
	Receipts   []json.RawMessage
	Divergence *struct {
		Tx               int
		Class, Signature string
	}
}

func decode(t testing.TB, a answer) wire {
	t.Helper()
	if a.code != http.StatusOK {
		t.Fatalf("status %d: %s", a.code, a.body)
	}
	var w wire
	if err := json.Unmarshal(a.body, &w); err != nil {
		t.Fatalf("answer %s: %v", a.body, err)
	}
	return w
}

// withoutTimes drops the fields that vary from run to run (times, and
// the engines' trap messages that name steps and offsets).
func withoutTimes(t testing.TB, js []byte) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatal(err)
	}
	delete(v, "timeNs")
	delete(v, "id")
	if outs, ok := v["outcomes"].([]any); ok {
		for _, o := range outs {
			delete(o.(map[string]any), "timeNs")
		}
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// TestCheckExamples is Done-when 1's first half: each example block gets
// the commitment referee check prints, on every engine built in, and the
// stored verdict is the answer.
func TestCheckExamples(t *testing.T) {
	_, ts := testServer(t, Config{})
	for name, want := range exampleCommitments {
		a := post(t, ts.URL+"/v1/check", inlineBlock(t, name))
		w := decode(t, a)
		if !w.Agree || w.Commitment != want || len(w.Engines) != len(diff.AllEngineNames()) {
			t.Fatalf("%s: agree %v commitment %s engines %v, want %s on %v", name, w.Agree, w.Commitment, w.Engines, want, diff.AllEngineNames())
		}
		rec := get(t, ts.URL+"/v1/verdicts/"+w.ID)
		var vr struct {
			ID      string
			Refused bool
			Verdict json.RawMessage
		}
		if err := json.Unmarshal(rec.body, &vr); rec.code != 200 || err != nil || vr.ID != w.ID || vr.Refused {
			t.Fatalf("%s: stored verdict %d %s", name, rec.code, rec.body)
		}
		if got, want := withoutTimes(t, vr.Verdict), withoutTimes(t, a.body); got != want {
			t.Fatalf("%s: stored verdict\n%s\nanswer\n%s", name, got, want)
		}
	}
	// The same content as referee check --json (the library's Document).
	k, err := referee.NewChecker(referee.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	body := inlineBlock(t, "traps.json")
	b, _ := block.ParseInline("x", body)
	v, err := k.Check(context.Background(), b, nil)
	if err != nil {
		t.Fatal(err)
	}
	bh := block.Keccak256(b.JSON())
	cli, _ := json.Marshal(v.Document(block.FormatHex(bh[:])))
	if got, want := withoutTimes(t, post(t, ts.URL+"/v1/check", body).body), withoutTimes(t, cli); got != want {
		t.Fatalf("service answer\n%s\nlibrary document\n%s", got, want)
	}
}

// TestRefusals is Done-when 1's second half in process: a block refused
// with engines reference,planted is listed with its bundle, the bundle
// replays the divergence, and a restart on the same directory still
// lists it (the kill -9 variant is TestKill9).
func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	s, ts := testServer(t, Config{DataDir: dir, Engines: []string{"reference", "planted"}})
	body := inlineBlock(t, "token.json")
	w := decode(t, post(t, ts.URL+"/v1/check", body))
	if w.Agree || w.Divergence == nil || w.Divergence.Tx != 2 || w.Divergence.Signature != "value-mismatch/returnData" {
		t.Fatalf("answer %+v", w)
	}
	if ok := decode(t, post(t, ts.URL+"/v1/check?engines=reference", body)); !ok.Agree {
		t.Fatal("reference alone does not agree")
	}
	check := func(url string) {
		t.Helper()
		var list refusalList
		a := get(t, url+"/v1/refusals")
		if err := json.Unmarshal(a.body, &list); a.code != 200 || err != nil || len(list.Refusals) != 1 || list.Refusals[0].ID != w.ID ||
			list.Refusals[0].Signature != "value-mismatch/returnData" || strings.Join(list.Refusals[0].Engines, ",") != "reference,planted" {
			t.Fatalf("refusals: %d %s", a.code, a.body)
		}
		var rr RefusalRecord
		a = get(t, url+"/v1/refusals/"+w.ID)
		if err := json.Unmarshal(a.body, &rr); a.code != 200 || err != nil {
			t.Fatalf("refusal: %d %s", a.code, a.body)
		}
		names := []string{}
		files := map[string][]byte{}
		for _, f := range rr.Bundle {
			names = append(names, f.Name)
			files[f.Name] = f.Data
		}
		want := "block.json,modules/0x0000000000000000000000000000000000000001.wasm,modules/0x0000000000000000000000000000000000000001.instrumented.wasm,outcomes.json,README.txt"
		if strings.Join(names, ",") != want {
			t.Fatalf("bundle files %v", names)
		}
		// The bundle replays: its block.json refused again the same way.
		b, err := block.ParseInline("bundle block.json", files["block.json"])
		if err != nil {
			t.Fatal(err)
		}
		k, _ := referee.NewChecker(referee.Config{Engines: rr.Engines})
		defer k.Close()
		v, err := k.Check(context.Background(), b, nil)
		if err != nil || v.Report.Divergence == nil || v.Report.Divergence.Signature != rr.Signature {
			t.Fatalf("replay of the bundle: %v %+v", err, v)
		}
		// The tar form holds the same files.
		a = get(t, url+"/v1/refusals/"+w.ID+"/bundle.tar")
		tr := tar.NewReader(bytes.NewReader(a.body))
		n := 0
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(tr)
			if name := strings.TrimPrefix(h.Name, "refusal-"+w.ID+"/"); !bytes.Equal(data, files[name]) {
				t.Fatalf("tar %s differs", h.Name)
			}
			n++
		}
		if n != len(files) {
			t.Fatalf("tar has %d files, want %d", n, len(files))
		}
	}
	check(ts.URL)
	ts.Close()
	s.Close()
	_, ts2 := testServer(t, Config{DataDir: dir, Engines: []string{"reference"}})
	check(ts2.URL)
}

// TestBadRequests is Done-when 2's second half: malformed JSON, an
// oversized body, an unknown engine and the other bad inputs get a 4xx
// with a one-line reason, and the service stays healthy.
func TestBadRequests(t *testing.T) {
	_, ts := testServer(t, Config{Engines: []string{"reference", "wazero-interp"}, MaxBody: 1 << 16})
	tok := inlineBlock(t, "token.json")
	withPath := []byte(strings.Replace(string(tok), `"codeBase64": "`, `"code": "/etc/passwd", "comment": "`, 1))
	deep := []byte(`{"version": 1, "pre": ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `, "txs": []}`)
	relaxed := []byte(`{"version": 1, "pre": {"contracts": [{"address": "0x0000000000000000000000000000000000000001",
		"codeBase64": "AGFzbQEAAAABBQFgAAF/AwIBAAcFAQFmAAAKLgEsAP0MAQAAAAIAAAADAAAABAAAAP0MAAAAAAAAAAAAAAAAAAAAAP2AAv0bAAs="}]}, "txs": []}`)
	for _, tt := range []struct {
		name, method, path string
		body               []byte
		code               int
		has                string
	}{
		{"malformed json", "POST", "/v1/check", []byte("{\n  \"version\": 1,\n  \"pre\": {\"contracts\": []},\n  \"txs\": [\n}\n"), 400, "request body:5:1: invalid character '}'"},
		{"empty body", "POST", "/v1/check", nil, 400, "request body: empty file"},
		{"not json", "POST", "/v1/check", []byte("\x00\xff"), 400, "request body:1:1: invalid character"},
		{"oversized", "POST", "/v1/check", bytes.Repeat([]byte(" "), 1<<17), 413, "request body larger than 65536 bytes"},
		{"unknown engine", "POST", "/v1/check?engines=reference,v8", tok, 400, `unknown engine "v8"`},
		{"engine not served", "POST", "/v1/check?engines=wasmtime", tok, 400, `unknown engine "wasmtime" (this checker has: reference, wazero-interp)`},
		{"engine twice", "POST", "/v1/check?engines=reference,reference", tok, 400, `listed twice`},
		{"too many engines", "POST", "/v1/check?engines=" + strings.Repeat("planted,", 20) + "planted", tok, 400, `21 engines named, at most 16`},
		{"code path", "POST", "/v1/check", withPath, 400, "pre.contracts[0].code: a file path is not accepted here"},
		{"too deep", "POST", "/v1/check", deep, 400, "JSON nested deeper than 32"},
		{"refused contract", "POST", "/v1/check", relaxed, 400, "relaxed SIMD is non-deterministic by design"},
		{"wrong method", "GET", "/v1/check", nil, 405, "only POST"},
		{"unknown path", "GET", "/v2/check", nil, 404, "no such endpoint"},
		{"bad id", "GET", "/v1/refusals/%2e%2e%2fetc", nil, 404, "an id is 16 hex digits"},
		{"bad id form", "GET", "/v1/verdicts/xyz", nil, 404, "an id is 16 hex digits"},
		{"missing id", "GET", "/v1/verdicts/00000000000000ff", nil, 404, "no verdict 00000000000000ff"},
		{"bad limit", "GET", "/v1/refusals?limit=0", nil, 400, "limit"},
	} {
		req, _ := http.NewRequest(tt.method, ts.URL+tt.path, bytes.NewReader(tt.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e errorBody
		err = json.Unmarshal(b, &e)
		if resp.StatusCode != tt.code || err != nil || !strings.Contains(e.Error, tt.has) || strings.Contains(e.Error, "\n") || e.Error == "" {
			t.Errorf("%s: %d %q, want %d with %q on one line", tt.name, resp.StatusCode, b, tt.code, tt.has)
		}
	}
	if a := get(t, ts.URL+"/healthz"); a.code != 200 {
		t.Fatalf("healthz after bad input: %d", a.code)
	}
	if w := decode(t, post(t, ts.URL+"/v1/check", tok)); !w.Agree {
		t.Fatal("a good block after bad ones does not agree")
	}
}

// TestMetrics is Done-when 2's first half: /metrics is valid Prometheus
// text with the metrics of the issue.
func TestMetrics(t *testing.T) {
	_, ts := testServer(t, Config{Engines: []string{"reference", "wazero-interp", "wazero-compiler"}})
	tok := inlineBlock(t, "token.json")
	for i := 0; i < 3; i++ {
		decode(t, post(t, ts.URL+"/v1/check", tok))
	}
	decode(t, post(t, ts.URL+"/v1/check?engines=reference,planted", tok))
	post(t, ts.URL+"/v1/check", []byte("{"))
	a := get(t, ts.URL+"/metrics")
	if a.code != 200 {
		t.Fatalf("metrics: %d", a.code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(a.body))
	if err != nil {
		t.Fatalf("not Prometheus text: %v", err)
	}
	value := func(name string, labels ...string) (float64, bool) {
		f, ok := fams[name]
		if !ok {
			return 0, false
		}
	next:
		for _, m := range f.Metric {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, l := range m.Label {
					if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue(), true
			case m.Gauge != nil:
				return m.Gauge.GetValue(), true
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount()), true
			}
		}
		return 0, false
	}
	for _, c := range []struct {
		name   string
		labels []string
		min    float64
	}{
		{"referee_http_requests_total", []string{"handler", "check", "code", "200"}, 4},
		{"referee_http_requests_total", []string{"handler", "check", "code", "400"}, 1},
		{"referee_verdicts_total", []string{"class", "agree"}, 3},
		{"referee_verdicts_total", []string{"class", "value-mismatch"}, 1},
		{"referee_verdicts_total", []string{"class", "bad-input"}, 1},
		{"referee_engine_run_seconds", []string{"engine", "wazero-compiler"}, 27},
		{"referee_engine_compile_seconds", []string{"engine", "wazero-compiler"}, 1},
		{"referee_module_cache_hits_total", []string{"engine", "gate"}, 3},
		{"referee_module_cache_misses_total", []string{"engine", "gate"}, 1},
		{"referee_module_cache_hits_total", []string{"engine", "wazero-interp"}, 1},
		{"referee_module_cache_entries", nil, 3},
		{"referee_queue_depth", nil, 0},
		{"referee_checks_in_flight", nil, 0},
		{"referee_check_seconds", nil, 4},
		{"referee_store_commit_seconds", nil, 1},
		{"process_resident_memory_bytes", nil, 1},
		{"go_goroutines", nil, 1},
	} {
		v, ok := value(c.name, c.labels...)
		if !ok || v < c.min {
			t.Errorf("%s%v = %v (present %v), want at least %v", c.name, c.labels, v, ok, c.min)
		}
	}
	// Exactly one compilation per engine and contract over four checks.
	if v, _ := value("referee_engine_compile_seconds", "engine", "wazero-compiler"); v != 1 {
		t.Errorf("wazero-compiler compiled token.wasm %v times, want 1", v)
	}
	if _, ok := fams["referee_isolated_restarts_total"]; ok {
		t.Errorf("restarts reported without isolation")
	}
}

// TestStream: with NDJSON, one line per receipt in order as the engines
// agree, then the verdict line, which is the plain answer.
func TestStream(t *testing.T) {
	_, ts := testServer(t, Config{Engines: []string{"reference", "wazero-interp"}})
	body := inlineBlock(t, "token.json")
	plain := post(t, ts.URL+"/v1/check", body)
	for _, hdr := range [][]string{{"Accept", "application/x-ndjson"}, nil} {
		url := ts.URL + "/v1/check"
		if hdr == nil {
			url += "?stream=1"
		}
		a := post(t, url, body, hdr...)
		if a.code != 200 || a.header.Get("Content-Type") != "application/x-ndjson" {
			t.Fatalf("stream: %d %s", a.code, a.header.Get("Content-Type"))
		}
		sc := bufio.NewScanner(bytes.NewReader(a.body))
		sc.Buffer(nil, 1<<20)
		var lines []map[string]json.RawMessage
		for sc.Scan() {
			var l map[string]json.RawMessage
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			lines = append(lines, l)
		}
		if len(lines) != 11 || string(lines[0]["type"]) != `"start"` || string(lines[0]["txs"]) != "9" || string(lines[0]["engines"]) != `["reference","wazero-interp"]` {
			t.Fatalf("%d lines, first %v; want the start line, 9 receipts and the verdict", len(lines), lines[0])
		}
		lines = lines[1:]
		var pw wire
		json.Unmarshal(plain.body, &pw)
		for i, l := range lines[:9] {
			if string(l["type"]) != `"receipt"` || string(l["tx"]) != fmt.Sprint(i) || compact(l["receipt"]) != compact(pw.Receipts[i]) {
				t.Fatalf("line %d: %v", i, l)
			}
		}
		last := lines[9]
		if string(last["type"]) != `"verdict"` {
			t.Fatalf("last line %v", last)
		}
		delete(last, "type")
		js, _ := json.Marshal(last)
		if got, want := withoutTimes(t, js), withoutTimes(t, plain.body); got != want {
			t.Fatalf("verdict line\n%s\nplain answer\n%s", got, want)
		}
	}
	// A bad block before any receipt is a plain 400, even when streaming.
	if a := post(t, ts.URL+"/v1/check?stream=1", []byte("{}")); a.code != 400 {
		t.Fatalf("bad block streamed: %d %s", a.code, a.body)
	}
}

func compact(b []byte) string {
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return string(b)
	}
	return out.String()
}

func TestMain(m *testing.M) {
	if mode := os.Getenv(childModeEnv); mode != "" {
		os.Exit(childMain(mode))
	}
	os.Exit(m.Run())
}
