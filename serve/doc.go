// Package serve is `referee serve`: the validator-side block check as a
// long-running HTTP service next to a node (docs/api.md).
//
// A Server answers POST /v1/check with a block's verdict (the document of
// `referee check --json`, optionally streamed as NDJSON, one receipt per
// line as the engines agree on it), and records every verdict, and every
// refusal with its replay bundle, in an embedded bbolt store before it
// answers (GET /v1/verdicts/{id}, /v1/refusals, /v1/refusals/{id}). It is
// built on referee.Checker, so its engines and compiled modules live as
// long as the service; with Config.Isolate they run in pools of child
// processes that a crash or a hang cannot take down.
//
// Admission bounds the work: a request takes a queue slot before its body
// is read (none left: 429 with Retry-After), then waits for one of the
// Workers within its deadline; bodies and JSON nesting are bounded; the
// block is gated before any engine compiles it. /healthz, /readyz and
// /metrics (Prometheus text) never wait behind a check. Logs are slog
// JSON lines on the configured writer.
//
// It must never read a file a request names (blocks carry their code
// inline), never answer before the verdict is committed to the store, and
// never let a request's bad input cause a 5xx or a panic. Nothing imports
// it but cmd/referee.
package serve
