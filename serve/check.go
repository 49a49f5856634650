package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/refereevm/referee"
	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
)

// The answer to POST /v1/check is the verdict's document (referee check
// --json; its "block" is the keccak256 of the block's canonical JSON)
// with "id", the id of its record, first. In an NDJSON answer each
// receipt is a line {"type":"receipt","tx":I,"receipt":{…}} after a first
// line {"type":"start","engines":[…],"txs":N}, the verdict
// is the last line, {"type":"verdict","id":…,…}, and an error after the
// first line is {"type":"error","status":CODE,"error":"…"}.

// receiptLine is one receipt line of an NDJSON answer.
type receiptLine struct {
	Type    string        `json:"type"`
	Tx      int           `json:"tx"`
	Receipt block.Receipt `json:"receipt"`
}

// startLine is the first line of an NDJSON answer, once the engines are
// known and before the block is gated.
type startLine struct {
	Type    string   `json:"type"`
	Engines []string `json:"engines"`
	Txs     int      `json:"txs"`
}

// errorLine is the error line of an NDJSON answer.
type errorLine struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
	Error  string `json:"error"`
}

// withFields returns the JSON object doc with fields (already encoded,
// `"k":v` each) put first.
func withFields(doc []byte, fields ...string) []byte {
	out := []byte("{" + strings.Join(fields, ",") + ",")
	return append(append(out, doc[1:]...), '\n')
}

// badRequest is an error that is the client's: 400 with its message.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

// readRequest reads, bounds and parses the block of a check request.
func (s *Server) readRequest(w http.ResponseWriter, r *http.Request) (*block.Block, int, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("request body larger than %d bytes", tooBig.Limit)
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("read request body: %v", err)
	}
	b, err := parseBlock(body, s.cfg.MaxDepth)
	if err != nil {
		return nil, http.StatusBadRequest, err
	}
	return b, 0, nil
}

// parseBlock checks the nesting of body, then parses it as a block with
// inline code. Its errors name "request body" and the field or offset.
func parseBlock(body []byte, maxDepth int) (*block.Block, error) {
	if err := checkDepth(body, maxDepth); err != nil {
		return nil, err
	}
	return referee.ParseBlock("request body", body)
}

// checkDepth refuses JSON nested deeper than max before anything decodes
// it into values. A syntax error is left to the parser, which locates it.
func checkDepth(body []byte, max int) error {
	depth := 0
	inString, escaped := false, false
	for i, c := range body {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > max {
				return fmt.Errorf("request body: JSON nested deeper than %d at byte %d", max, i)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// maxRequestEngines bounds the engines one request may name: each is a
// goroutine running every transaction.
const maxRequestEngines = 16

// engineList reads the engines query parameter (nil: the server's).
func engineList(r *http.Request) ([]string, error) {
	q := r.URL.Query().Get("engines")
	if q == "" {
		return nil, nil
	}
	names := strings.Split(q, ",")
	if len(names) > maxRequestEngines {
		return nil, fmt.Errorf("engines: %d engines named, at most %d", len(names), maxRequestEngines)
	}
	return names, nil
}

// wantStream reports whether the client asked for NDJSON.
func wantStream(r *http.Request) bool {
	if v := r.URL.Query().Get("stream"); v != "" {
		on, err := strconv.ParseBool(v)
		return err == nil && on
	}
	return strings.Contains(r.Header.Get("Accept"), "application/x-ndjson")
}

func (s *Server) reject(w http.ResponseWriter, code int, reason, msg string) {
	s.m.rejections.WithLabelValues(reason).Inc()
	w.Header().Set("Retry-After", strconv.Itoa(s.adm.retryAfter()))
	writeError(w, code, msg)
}

// handleCheck is POST /v1/check.
func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if s.draining.Load() {
		s.reject(w, http.StatusServiceUnavailable, "draining", "the service is shutting down")
		return
	}
	if !s.adm.admit() {
		s.reject(w, http.StatusTooManyRequests, "queue-full",
			fmt.Sprintf("the queue is full (%d checks running, %d waiting)", s.adm.running(), s.adm.queued()))
		return
	}
	defer s.adm.leave()
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
	defer cancel()
	rc := http.NewResponseController(w)
	if dl, ok := ctx.Deadline(); ok {
		rc.SetReadDeadline(dl) // a client that sends its body slowly keeps its slot until the deadline at most
	}
	engines, err := engineList(r)
	if err != nil {
		s.m.verdicts.WithLabelValues("bad-input").Inc()
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	b, code, err := s.readRequest(w, r)
	if err != nil {
		s.m.verdicts.WithLabelValues("bad-input").Inc()
		s.log.Info("check refused as bad input", "status", code, "error", err.Error(), "remote", r.RemoteAddr)
		writeError(w, code, err.Error())
		return
	}
	if err := s.adm.work(ctx); err != nil {
		s.m.verdicts.WithLabelValues("deadline").Inc()
		s.reject(w, http.StatusServiceUnavailable, "deadline",
			fmt.Sprintf("no worker was free within the request deadline of %v", s.cfg.RequestTimeout))
		return
	}
	var took time.Duration
	defer func() { s.adm.done(took) }()

	stream := wantStream(r)
	var enc *json.Encoder
	started := false
	startStream := func() {
		if !started {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.WriteHeader(http.StatusOK)
			enc = json.NewEncoder(w)
			enc.SetEscapeHTML(false)
			started = true
		}
	}
	opts := &referee.CheckOptions{Engines: engines}
	if stream {
		opts.OnStart = func(engines []string) {
			startStream()
			enc.Encode(startLine{Type: "start", Engines: engines, Txs: len(b.Txs)})
			rc.Flush()
		}
		opts.OnReceipt = func(tx int, rc0 block.Receipt) {
			startStream()
			enc.Encode(receiptLine{Type: "receipt", Tx: tx, Receipt: rc0})
			rc.Flush()
		}
	}
	fail := func(code int, msg string) {
		if started {
			enc.Encode(errorLine{Type: "error", Status: code, Error: msg})
			return
		}
		writeError(w, code, msg)
	}
	v, err := s.checker.Check(ctx, b, opts)
	if err != nil {
		switch {
		case errors.Is(err, referee.ErrUnknownEngine):
			s.m.verdicts.WithLabelValues("bad-input").Inc()
			fail(http.StatusBadRequest, "engines: "+err.Error())
		case errors.Is(err, diff.ErrBadInput):
			s.m.verdicts.WithLabelValues("bad-input").Inc()
			fail(http.StatusBadRequest, "request body: "+err.Error())
		case ctx.Err() != nil:
			s.m.verdicts.WithLabelValues("deadline").Inc()
			w.Header().Set("Retry-After", strconv.Itoa(s.adm.retryAfter()))
			fail(http.StatusServiceUnavailable, fmt.Sprintf("no verdict within the request deadline of %v: %v", s.cfg.RequestTimeout, ctx.Err()))
		default:
			s.log.Error("check failed", "error", err.Error())
			fail(http.StatusInternalServerError, "check: "+err.Error())
		}
		return
	}
	s.m.observeReport(v.Report)
	id, doc, err := s.record(b, v)
	took = time.Since(start)
	s.m.checkTime.Observe(took.Seconds())
	if err != nil {
		s.log.Error("store write failed: no answer sent", "error", err.Error())
		fail(http.StatusInternalServerError, "the verdict could not be recorded: "+err.Error())
		return
	}
	class := "agree"
	if dv := v.Report.Divergence; dv != nil {
		class = dv.Class
	}
	s.m.verdicts.WithLabelValues(class).Inc()
	s.log.Info("check", "id", id, "verdict", class, "txs", len(b.Txs), "engines", v.Report.Engines,
		"ms", float64(took.Microseconds())/1000, "remote", r.RemoteAddr)
	idField := `"id":"` + id + `"`
	if stream {
		startStream()
		w.Write(withFields(doc, `"type":"verdict"`, idField))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(withFields(doc, idField))
}

// record stores the verdict (and the refusal with its bundle) and returns
// its id and document, once the store has committed it.
func (s *Server) record(b *block.Block, v *referee.Verdict) (string, []byte, error) {
	bh := block.Keccak256(b.JSON())
	hash := block.FormatHex(bh[:])
	now := time.Now().UTC()
	doc, err := json.Marshal(v.Document(hash))
	if err != nil {
		return "", nil, fmt.Errorf("BUG: encode the verdict: %w", err)
	}
	vr := &VerdictRecord{Time: now, BlockHash: hash, Refused: !v.Agree(), Document: doc}
	var rr *RefusalRecord
	if dv := v.Report.Divergence; dv != nil {
		rr = &RefusalRecord{Time: now, BlockHash: hash, Tx: dv.Tx, Class: dv.Class, Signature: dv.Signature,
			Engines: v.Engines, Document: doc}
		for _, f := range v.Bundle() {
			rr.Bundle = append(rr.Bundle, BundleFile{Name: f.Name, Data: f.Data})
		}
	}
	if err := s.store.put(vr, rr); err != nil {
		return "", nil, err
	}
	return vr.ID, doc, nil
}
