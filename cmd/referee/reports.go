package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/dispute"
	"github.com/refereevm/referee/dispute/narrow"
	"github.com/refereevm/referee/fuzz"
	"github.com/refereevm/referee/report"
)

// The --report flags of fuzz, dispute play and narrow: each fills one of
// report's data types from what the command ran and writes the page.

// checkReportPath fails early, before a long run, if the report cannot be
// written: its directory must exist.
func checkReportPath(path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	return nil
}

// writeReport writes the page to path through a temporary file in the
// same directory, so that a reader never sees half a page.
func writeReport(path string, p *report.Page) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*.html")
	if err != nil {
		return err
	}
	werr := tmp.Chmod(0o644) // CreateTemp makes it private; a report is for reading
	if werr == nil {
		werr = p.Write(tmp)
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

// fuzzSampler keeps a campaign's progress samples for its report.
type fuzzSampler struct {
	mu      sync.Mutex
	samples []report.FuzzSample
}

func (s *fuzzSampler) add(p fuzz.Progress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples = append(s.samples, report.FuzzSample{Elapsed: p.Elapsed, Execs: p.Execs, Rejected: p.Rejected,
		TimedOut: p.TimedOut, Findings: p.Findings, Unique: p.Unique, OpsCovered: p.OpsCovered, OpsTotal: p.OpsTotal})
}

// fuzzReportData assembles a campaign's report.
func fuzzReportData(names []string, dir string, s *fuzz.Summary, samples []report.FuzzSample, times *corpus.EngineTimes) *report.FuzzData {
	d := &report.FuzzData{Seed: s.Seed, Workers: s.Workers, Engines: names, Corpus: dir, Samples: samples, Errors: s.Errors}
	for _, r := range s.Signatures {
		d.Signatures = append(d.Signatures, report.FuzzSignature{Signature: r.Signature, Count: r.Count,
			FoundAfter: r.FoundAfter, ID: r.ID, Existing: r.Existing, MinSize: r.MinSize})
	}
	total, runs := times.Snapshot()
	i := 0
	for _, n := range names {
		if n == corpus.RawEngine {
			continue // not an engine of the oracle: the raw run is not timed
		}
		et := report.EngineTime{Engine: n}
		if i < len(total) {
			et.Total, et.Runs = total[i], runs[i]
		}
		d.EngineTime = append(d.EngineTime, et)
		i++
	}
	return d
}

// gameReportData replays a finished game's transcript into its report:
// the interval each move was made on, the split points and roots, the
// picks.
func gameReportData(g *dispute.Game, claims [2][32]byte) *report.GameData {
	cfg, res, st := g.Config(), g.Result(), g.Stats()
	d := &report.GameData{K: cfg.K, Steps: cfg.Steps, Initial: cfg.Initial, Claims: claims,
		Result: res.String(), Step: res.Step, Bytes: st.Bytes}
	lo, hi := uint64(0), cfg.Steps
	var points []uint64
	for _, e := range g.Events() {
		r := report.GameRound{Round: e.Round, Side: e.Side.String(), Lo: lo, Hi: hi, Error: e.Err}
		if m := e.Move; m != nil {
			r.Kind = m.Kind.String()
			switch m.Kind {
			case dispute.KindSplit:
				r.Points, r.Roots = dispute.Split(lo, hi, cfg.K), m.Roots
				if e.Err == "" {
					points = r.Points
				}
			case dispute.KindPick:
				r.Index, r.PickRoot = int(m.Index), m.Root
				if e.Err == "" && int(m.Index)+1 < len(points) {
					lo, hi = points[m.Index], points[m.Index+1]
					points = nil
				}
			case dispute.KindProof:
				r.ProofSize = len(m.Proof)
			}
		}
		d.Rounds = append(d.Rounds, r)
	}
	return d
}

// narrowReportData assembles a narrowing's report.
func narrowReportData(what string, names []string, r *narrow.Result, agree bool) *report.NarrowData {
	d := &report.NarrowData{Target: what, Engines: [2]string{names[0], names[1]}, K: r.K, Total: r.Total,
		Runs: r.Runs, Wall: r.Wall, Agree: agree}
	for _, rd := range r.Search {
		d.Rounds = append(d.Rounds, report.NarrowRound{Lo: rd.Lo, Hi: rd.Hi, Points: rd.Points, First: rd.First})
	}
	if !agree {
		d.Step, d.Field, d.ProofNote = r.Step, r.Field, r.ProofNote
		d.Where = fmt.Sprintf("func %d offset 0x%x %s", r.Func, r.Offset, r.Op)
		d.Describe = r.Describe()
	}
	return d
}
