package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/refereevm/referee"
	"github.com/refereevm/referee/internal/input"
	"github.com/refereevm/referee/serve"
)

const serveUsage = `  referee serve [--addr HOST:PORT] [--data DIR] [--engines LIST] [--workers N] [--queue N] [--isolate] [--token-file FILE] ...
        the block check as a long-running HTTP service (docs/api.md):
        POST /v1/check answers a block's verdict (NDJSON receipts as they are
        agreed with ?stream=1), every verdict and refusal (with its replay
        bundle) is recorded under --data before the answer; GET /v1/refusals,
        /healthz, /readyz, /metrics; logs JSON lines on stderr; SIGTERM or
        Ctrl-C drains (stops accepting, finishes what is in flight, closes
        the store) and exits 0
`

// serveGOGC is referee serve's default GOGC: the engines allocate a fresh
// instance (memory pages included) per transaction, and at the default 100
// the collector took a third of a warm check's CPU (docs/RATIONALE.md,
// "Why does referee serve run the collector at GOGC=400?").
const serveGOGC = 400

// serveCommand implements "referee serve".
// maxTokenFile bounds a --token-file: a bearer token is one short line.
const maxTokenFile = 4 << 10

func serveCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8548", "listen on `HOST:PORT` (loopback by default)")
	data := fs.String("data", "referee-data", "keep the verdict store in `DIR`")
	enginesFlag := fs.String("engines", "", "comma-separated engine `LIST` of every check (default: every engine built in)")
	workers := fs.Int("workers", 0, "`N` checks at once (0: one per core)")
	queue := fs.Int("queue", 0, "`N` more checks admitted to wait for a worker (0: 4 per worker; -1: none); beyond it, 429")
	isolate := fs.Bool("isolate", false, "run the engines in pools of long-lived child processes (one per worker and engine)")
	tokenFile := fs.String("token-file", "", "require the bearer token in `FILE` on /v1/ requests")
	timeout := fs.Duration("timeout", serve.DefaultRunBudget, "wall-clock budget `D` of one engine running one transaction (0: none)")
	reqTimeout := fs.Duration("request-timeout", serve.DefaultRequestTimeout, "deadline `D` of one check request, queue wait included")
	maxBody := fs.Int64("max-body", serve.DefaultMaxBody, "largest request body, in `BYTES`")
	maxDepth := fs.Int("max-depth", serve.DefaultMaxDepth, "deepest JSON nesting of a request body, `N` levels")
	cacheEntries := fs.Int("cache-entries", referee.DefaultCacheEntries, "modules kept compiled across blocks, `N` (prepared and compiled, all engines)")
	cacheMB := fs.Int64("cache-mb", referee.DefaultCacheBytes>>20, "module cache bound in weighted `MiB`")
	interrupt := fs.String("interrupt", "cheap", "which engines stop themselves at the deadline: `MODE` cheap, all or none (as referee check)")
	drain := fs.Duration("drain", time.Minute, "on SIGTERM, wait at most `D` for the checks in flight")
	gogc := fs.Int("gogc", serveGOGC, "the Go collector's GOGC `PERCENT` for the service (GOGC in the environment wins)")
	pos, code, ok := parseFlags(fs, serveUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee serve: "+format+"\n", a...)
		return exitBad
	}
	if len(pos) != 0 {
		return bad("no arguments expected, got %q (run 'referee help serve')", pos[0])
	}
	switch *interrupt {
	case "cheap", "all", "none":
	default:
		return bad("--interrupt: %q is not cheap, all or none", *interrupt)
	}
	cfg := serve.Config{DataDir: *data, Workers: *workers, Queue: *queue, Interrupt: *interrupt, RunBudget: *timeout,
		RequestTimeout: *reqTimeout, MaxBody: *maxBody, MaxDepth: *maxDepth, CacheEntries: *cacheEntries, CacheBytes: *cacheMB << 20,
		Logger: slog.New(slog.NewJSONHandler(stderr, nil))}
	if *timeout == 0 {
		cfg.RunBudget = -1
	}
	if *enginesFlag != "" {
		cfg.Engines = strings.Split(*enginesFlag, ",")
	}
	if *tokenFile != "" {
		b, err := input.ReadFile(*tokenFile, maxTokenFile)
		if err != nil {
			return bad("--token-file: %v", err)
		}
		if cfg.Token = strings.TrimSpace(string(b)); cfg.Token == "" || strings.ContainsAny(cfg.Token, " \t\r\n") {
			return bad("--token-file: %s: want one token on one line", *tokenFile)
		}
	}
	if *isolate {
		exe, err := os.Executable()
		if err != nil {
			return bad("--isolate: %v", err)
		}
		cfg.Isolate = &referee.IsolateConfig{Cmd: []string{exe, "check", "--engine-child"}}
	}
	if host, _, err := net.SplitHostPort(*addr); err == nil && cfg.Token == "" {
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			cfg.Logger.Warn("listening beyond loopback without --token-file: anyone who reaches the port can use the service", "addr", *addr)
		}
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(*gogc)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := serve.Run(ctx, cfg, *addr, *drain, nil); err != nil {
		return bad("%v", err)
	}
	return exitOK
}
