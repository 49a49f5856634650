package serve

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/refereevm/referee"
)

// Defaults of Config.
const (
	DefaultRunBudget      = 10 * time.Second
	DefaultRequestTimeout = 2 * time.Minute
	DefaultMaxBody        = 32 << 20 // bytes of a request body: a block file's 64 MiB limit is for files people write
	DefaultMaxDepth       = 32       // JSON nesting of a request body (a block nests 5 deep)
)

// Config configures a Server.
type Config struct {
	DataDir string   // where the store lives (required)
	Engines []string // the engines of every check, in comparison order (empty: every engine built in)
	// Workers is how many checks run at once (0: GOMAXPROCS); Queue how
	// many more are admitted to wait (0: 4 × Workers; negative: none).
	Workers, Queue int
	// Isolate runs the engines in pools of child processes (Children is
	// set to Workers when 0).
	Isolate   *referee.IsolateConfig
	Interrupt string        // referee.Config.Interrupt
	RunBudget time.Duration // one engine, one transaction (0: DefaultRunBudget; negative: none)
	// RequestTimeout bounds a check request from admission to the answer,
	// queue wait included (0: DefaultRequestTimeout).
	RequestTimeout time.Duration
	MaxBody        int64 // bytes of a request body (0: DefaultMaxBody)
	MaxDepth       int   // JSON nesting of a request body (0: DefaultMaxDepth)
	// Token, if not empty, is the bearer token every /v1/ request must
	// carry (Authorization: Bearer TOKEN); health and metrics are open.
	Token string
	// CacheEntries and CacheBytes bound the module cache (0: referee's
	// defaults).
	CacheEntries int
	CacheBytes   int64
	Logger       *slog.Logger // nil: no logs
}

// Server is the service.
type Server struct {
	cfg      Config
	checker  *referee.Checker
	store    *store
	m        *metrics
	adm      *admission
	log      *slog.Logger
	handler  http.Handler
	http     *http.Server
	draining atomic.Bool
}

// New opens the store under cfg.DataDir and builds the engines.
func New(cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("no data directory")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	switch {
	case cfg.Queue == 0:
		cfg.Queue = 4 * cfg.Workers
	case cfg.Queue < 0:
		cfg.Queue = 0
	}
	if cfg.RunBudget == 0 {
		cfg.RunBudget = DefaultRunBudget
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxDepth <= 0 {
		cfg.MaxDepth = DefaultMaxDepth
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	s := &Server{cfg: cfg, log: cfg.Logger, adm: newAdmission(cfg.Workers, cfg.Queue)}
	s.m = newMetrics(s)
	kc := referee.Config{Engines: cfg.Engines, Interrupt: cfg.Interrupt, RunBudget: cfg.RunBudget,
		CacheEntries: cfg.CacheEntries, CacheBytes: cfg.CacheBytes, OnCompile: s.m.observeCompile}
	if cfg.Isolate != nil {
		iso := *cfg.Isolate
		if iso.Children == 0 {
			iso.Children = cfg.Workers
		}
		outer := iso.OnRestart
		iso.OnRestart = func(engine, reason string) {
			s.m.restarts.WithLabelValues(engine, reason).Inc()
			s.log.Warn("engine child replaced", "engine", engine, "reason", reason)
			if outer != nil {
				outer(engine, reason)
			}
		}
		kc.Isolate = &iso
	}
	k, err := referee.NewChecker(kc)
	if err != nil {
		return nil, err
	}
	st, err := openStore(cfg.DataDir)
	if err != nil {
		k.Close()
		return nil, err
	}
	st.onCommit = func(_ int, d time.Duration) { s.m.storeTime.Observe(d.Seconds()) }
	s.checker, s.store = k, st
	s.handler = s.routes()
	return s, nil
}

// Handler returns the service's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	v1 := func(pattern, name string, h http.HandlerFunc) {
		mux.Handle(pattern, s.instrument(name, s.authorize(h)))
	}
	v1("POST /v1/check", "check", s.handleCheck)
	mux.Handle("/v1/check", s.instrument("check", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "POST")
		writeError(w, http.StatusMethodNotAllowed, r.Method+" /v1/check: only POST")
	})))
	v1("GET /v1/verdicts/{id}", "verdict", s.handleVerdict)
	v1("GET /v1/refusals", "refusals", s.handleRefusals)
	v1("GET /v1/refusals/{id}", "refusal", s.handleRefusal)
	v1("GET /v1/refusals/{id}/bundle.tar", "bundle", s.handleBundleTar)
	mux.Handle("GET /healthz", s.instrument("healthz", http.HandlerFunc(s.handleHealth)))
	mux.Handle("GET /readyz", s.instrument("readyz", http.HandlerFunc(s.handleReady)))
	mux.Handle("GET /metrics", s.instrument("metrics", promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{})))
	mux.Handle("/", s.instrument("other", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint: %s %s (docs/api.md)", r.Method, r.URL.Path))
	})))
	return s.recoverPanics(mux)
}

// Serve serves HTTP on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.log.Info("listening", "addr", ln.Addr().String(), "engines", s.checker.Engines(), "workers", s.cfg.Workers,
		"queue", s.cfg.Queue, "isolate", s.cfg.Isolate != nil, "data", s.cfg.DataDir)
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown drains: /readyz turns 503 and new checks are refused, the
// listener closes, the checks in flight finish and are recorded (until
// ctx ends), then the engines and the store are closed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	s.log.Info("draining", "in_flight", s.adm.running(), "queued", s.adm.queued())
	var err error
	if s.http != nil {
		err = s.http.Shutdown(ctx)
	}
	s.checker.Close()
	if cerr := s.store.close(); err == nil {
		err = cerr
	}
	s.log.Info("stopped", "error", fmt.Sprint(err))
	return err
}

// Close closes the engines and the store without draining (for a Server
// used only through Handler).
func (s *Server) Close() error {
	s.draining.Store(true)
	s.checker.Close()
	if err := s.store.close(); err != errStoreClosed {
		return err
	}
	return nil
}

// Run serves on addr until ctx ends, then drains for at most drain.
// ready, if set, is called with the address once listening.
func Run(ctx context.Context, cfg Config, addr string, drain time.Duration, ready func(net.Addr)) error {
	s, err := New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.Close()
		return err
	}
	if ready != nil {
		ready(ln.Addr())
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	select {
	case err := <-served:
		s.Close()
		return err
	case <-ctx.Done():
	}
	dctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	err = s.Shutdown(dctx)
	<-served
	return err
}

// authorize requires the bearer token, if one is configured.
func (s *Server) authorize(h http.HandlerFunc) http.Handler {
	if s.cfg.Token == "" {
		return h
	}
	want := []byte("Bearer " + s.cfg.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="referee"`)
			writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		h(w, r)
	})
}

// statusWriter records the status code for metrics and logs; Unwrap lets
// http.ResponseController reach the Flusher underneath.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts requests by handler and code.
func (s *Server) instrument(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		s.m.requests.WithLabelValues(name, fmt.Sprint(sw.code)).Inc()
	})
}

// recoverPanics turns a panic (a bug) into a 500 and a log line instead of
// a dropped connection.
func (s *Server) recoverPanics(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("BUG: panic in a handler", "path", r.URL.Path, "panic", fmt.Sprint(v))
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		h.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "engines": s.checker.Engines(),
		"workers": s.adm.workers(), "queued": s.adm.queued(), "running": s.adm.running()})
}

// errorBody is every error answer: one line saying what is wrong.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	msg, _, _ = strings.Cut(msg, "\n")
	writeJSON(w, code, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v) // a write error means the client is gone
}
