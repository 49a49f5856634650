package fuzz

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/refereevm/referee/corpus"
	"github.com/refereevm/referee/wasm"
)

// Oracle runs calls of a module's exports on engines and reports the first
// divergence, or nil. corpus.DiffOracle runs diff's engines. Check must be
// safe for concurrent use and deterministic (the same module and calls give
// the same divergence); an error means the input was not usable (for
// instance refused by a gatekeeper) and is not a finding.
type Oracle interface {
	Check(ctx context.Context, m *wasm.Module, calls []corpus.Call) (*corpus.Divergence, error)
}

// Campaign is a differential fuzzing campaign: Workers goroutines each
// generate (or mutate) modules from their own deterministic seed stream,
// run them through the oracle, and store every divergence in Store, first
// as found and then minimized. For a given Seed, Workers and Execs the
// modules, the findings and the stored corpus are the same on every run,
// whatever the scheduling.
type Campaign struct {
	Seed    uint64
	Workers int    // 0: 1
	Execs   uint64 // modules per worker; 0: until the context ends
	Oracle  Oracle
	// Store receives findings (nil: findings are only counted).
	Store *corpus.Store
	// Config makes each module's configuration from its source (nil:
	// CampaignConfig).
	Config func(s *Source) Config
	// MutateEvery makes every k-th module of a worker a mutation of the
	// worker's previous module instead of a fresh one (0: 4; negative:
	// never).
	MutateEvery int
	// MinimizeTries is the predicate budget of each minimization (0:
	// corpus.DefaultMaxTries; negative: findings are not minimized).
	MinimizeTries int
	// Progress, if set, is called every ProgressEvery (0: one second) and
	// once at the end, from one goroutine at a time.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Engines names the oracle's engines in stored findings.
	Engines []string
	// Known, if set, names the known engine bug that explains a
	// divergence, or "" (corpus.Classifier.Classify): a known bug is
	// counted in Summary.Known, neither stored nor counted as a finding,
	// so that new bugs stand out.
	Known func(ctx context.Context, m *wasm.Module, calls []corpus.Call, d *corpus.Divergence) string
}

// Progress is a campaign's state. Wall-clock fields (Elapsed, ExecsPerSec,
// TimedOut) are for people; every other count is deterministic once the
// campaign ends after a fixed number of execs, and so are the findings,
// provided TimedOut is 0.
type Progress struct {
	Elapsed     time.Duration `json:"elapsed"`
	Execs       uint64        `json:"execs"`       // modules run through the oracle (timed out included)
	ExecsPerSec float64       `json:"execsPerSec"` // Execs / Elapsed
	Rejected    uint64        `json:"rejected"`    // modules the oracle refused (not run)
	// TimedOut counts oracle checks (of modules or of minimization
	// candidates) in which an engine passed its wall-clock budget
	// (corpus.ErrEngineTimeout). Such a check decides nothing: the module
	// is neither a finding nor agreement, and the minimization stops
	// there (incomplete). Nonzero means the machine was too slow for the
	// budget and the campaign's results may differ from run to run.
	TimedOut uint64 `json:"timedOut,omitempty"`
	Findings uint64 `json:"findings"` // divergent modules, duplicates included, known bugs not
	Known    uint64 `json:"known"`    // divergent modules explained by a known bug (Campaign.Known)
	Unique   int    `json:"unique"`   // distinct signatures
	// Stored counts the signatures whose finding this campaign wrote to
	// the store (a later write of an earlier finding of the same
	// signature replaces it and is not counted again).
	Stored     uint64 `json:"stored"`
	OpsCovered int    `json:"opsCovered"` // distinct non-SIMD opcodes in generated modules
	OpsTotal   int    `json:"opsTotal"`   // non-SIMD opcodes of Wasm 2.0
	// SIMDCovered counts the distinct vector instructions in generated
	// modules (of the 236; 0 unless the campaign generates SIMD).
	SIMDCovered int `json:"simdCovered,omitempty"`
}

// Coverage is OpsCovered / OpsTotal.
func (p Progress) Coverage() float64 {
	if p.OpsTotal == 0 {
		return 0
	}
	return float64(p.OpsCovered) / float64(p.OpsTotal)
}

// SignatureReport summarises one signature of a campaign.
type SignatureReport struct {
	Signature string `json:"signature"`
	Count     uint64 `json:"count"` // divergent modules with this signature
	// First is the finding kept for it: the earliest in (iteration,
	// worker) order.
	ID string `json:"id,omitempty"` // its finding ID (empty without a store)
	// Existing is set when the store already held a finding of this
	// signature that comes first (from an earlier run of the same
	// campaign, or from another campaign, which is always kept): ID is
	// that finding's, and nothing was written for this one.
	Existing bool   `json:"existing,omitempty"`
	Worker   int    `json:"worker"`
	Iter     uint64 `json:"iter"`
	// FoundAfter is the wall-clock time from the campaign's start to the
	// first module with this signature (any worker).
	FoundAfter time.Duration `json:"foundAfter"`
	// MinFuncs and MinSize describe the kept finding's minimized module
	// (0 if it was not minimized).
	MinFuncs int `json:"minFuncs"`
	MinSize  int `json:"minSize"`
	Size     int `json:"size"`
}

// KnownReport counts the modules a known bug explained.
type KnownReport struct {
	ID         string   `json:"id"`
	Count      uint64   `json:"count"`
	Signatures []string `json:"signatures"` // the signatures it showed as, sorted
}

// Summary is the result of a campaign.
type Summary struct {
	Seed       uint64            `json:"seed"`
	Workers    int               `json:"workers"`
	Progress   Progress          `json:"progress"`
	Signatures []SignatureReport `json:"signatures"` // sorted by signature
	// Known are the known bugs the campaign met, sorted by ID.
	Known []KnownReport `json:"known,omitempty"`
	// Errors are the first maxErrors errors in (iteration, worker) order.
	Errors []string `json:"errors,omitempty"`
}

// CampaignConfig is the configuration of campaign modules: a swarm
// configuration (a random subset of features) with NaNs canonicalized,
// termination ensured and, in three modules out of four, the checksum of
// dropped values (a wrong value computed anywhere becomes observable; the
// rest keep modules without it, which minimize smaller); and without start
// functions (the engines' adapters set the metering gas after
// instantiation, so a start function would run with different gas on
// different engines).
func CampaignConfig(s *Source) Config {
	c := SwarmConfig(s)
	c.CanonicalizeNaNs = true
	c.EnsureTermination = true
	c.Checksum = s.Intn(4) != 0
	c.StartFunc = false
	return c
}

// SIMDCampaignConfig is CampaignConfig with SIMD on in every module (the
// configuration of referee fuzz --simd).
func SIMDCampaignConfig(s *Source) Config {
	c := CampaignConfig(s)
	c.SIMD = true
	return c
}

// ModuleSeed is the seed of the module a worker makes at an iteration:
// splitmix64 of the campaign seed, the worker and the iteration.
func ModuleSeed(seed uint64, worker int, iter uint64) uint64 {
	s := NewSeedSource(seed ^ 0x6a09e667f3bcc908*uint64(worker+1))
	for i := 0; i < 2; i++ {
		s.splitmix64()
	}
	s.state ^= iter * 0xbb67ae8584caa73b
	return s.splitmix64()
}

// PlanCalls lists the calls a campaign makes on m: every exported
// function but the fuel reset, in export order, with arguments from s.
func PlanCalls(m *wasm.Module, s *Source) []corpus.Call {
	var calls []corpus.Call
	for _, e := range m.Exports {
		if e.Kind != wasm.ExternFunc || e.Name == ResetFuelExport {
			continue
		}
		ft, _ := m.FuncType(e.Index)
		var args []uint64
		for _, v := range Args(s, ft.Params) {
			args = append(args, v.Bits)
		}
		calls = append(calls, corpus.Call{Export: e.Name, Args: args})
	}
	return calls
}

// campaignRun is the shared state of a running campaign.
type campaignRun struct {
	c     *Campaign
	start time.Time

	execs, rejected, timedOut, findings, known atomic.Uint64

	mu      sync.Mutex
	sigs    map[string]*SignatureReport // lookups only; reports are sorted
	knowns  map[string]*KnownReport     // lookups only; reports are sorted
	stored  map[string]bool             // signatures written to the store (counted, never iterated)
	ops     [0x10000]bool
	opsSeen int
	// simdSeen counts the distinct vector instructions in r.ops.
	simdSeen int
	errs     []campaignError // the earliest maxErrors, in (iter, worker) order
}

// maxErrors bounds Summary.Errors.
const maxErrors = 20

// campaignError is an error of module iter of worker w.
type campaignError struct {
	iter uint64
	w    int
	msg  string
}

func (e campaignError) before(f campaignError) bool {
	if e.iter != f.iter {
		return e.iter < f.iter
	}
	if e.w != f.w {
		return e.w < f.w
	}
	return e.msg < f.msg
}

// Run runs the campaign until every worker has made Execs modules or ctx
// ends. A finding is in the store as soon as the oracle reports it, before
// minimization starts; an interrupted minimization stores what it reached.
func (c *Campaign) Run(ctx context.Context) (*Summary, error) {
	if c.Oracle == nil {
		return nil, errors.New("campaign: no oracle")
	}
	workers := max(c.Workers, 1)
	r := &campaignRun{c: c, start: time.Now(), sigs: map[string]*SignatureReport{}, knowns: map[string]*KnownReport{}, stored: map[string]bool{}}
	done := make(chan struct{})
	var progWG sync.WaitGroup
	if c.Progress != nil {
		every := c.ProgressEvery
		if every <= 0 {
			every = time.Second
		}
		progWG.Add(1)
		go func() {
			defer progWG.Done()
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					c.Progress(r.progress())
				}
			}
		}()
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.worker(ctx, w)
		}()
	}
	wg.Wait()
	close(done)
	progWG.Wait()
	p := r.progress()
	if c.Progress != nil {
		c.Progress(p)
	}
	s := &Summary{Seed: c.Seed, Workers: workers, Progress: p}
	for _, e := range r.errs {
		s.Errors = append(s.Errors, e.msg)
	}
	for _, rep := range r.sortedSigs() {
		s.Signatures = append(s.Signatures, *rep)
	}
	s.Known = r.sortedKnown()
	return s, nil
}

func (r *campaignRun) progress() Progress {
	r.mu.Lock()
	unique, covered, simdCovered, stored := len(r.sigs), r.opsSeen, r.simdSeen, uint64(len(r.stored))
	r.mu.Unlock()
	p := Progress{
		Elapsed:    time.Since(r.start),
		Execs:      r.execs.Load(),
		Rejected:   r.rejected.Load(),
		TimedOut:   r.timedOut.Load(),
		Findings:   r.findings.Load(),
		Known:      r.known.Load(),
		Stored:     stored,
		Unique:     unique,
		OpsCovered: covered, SIMDCovered: simdCovered,
		OpsTotal: opsTotal,
	}
	if s := p.Elapsed.Seconds(); s > 0 {
		p.ExecsPerSec = float64(p.Execs) / s
	}
	return p
}

func (r *campaignRun) sortedSigs() []*SignatureReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*SignatureReport
	for _, rep := range r.sigs { // collected, then sorted: order never depends on the map
		out = append(out, rep)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Signature < out[j].Signature })
	return out
}

// countKnown counts a module explained by known bug id.
func (r *campaignRun) countKnown(id, sig string) {
	r.known.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	k := r.knowns[id]
	if k == nil {
		k = &KnownReport{ID: id}
		r.knowns[id] = k
	}
	k.Count++
	i := sort.SearchStrings(k.Signatures, sig)
	if i == len(k.Signatures) || k.Signatures[i] != sig {
		k.Signatures = append(k.Signatures, "")
		copy(k.Signatures[i+1:], k.Signatures[i:])
		k.Signatures[i] = sig
	}
}

func (r *campaignRun) sortedKnown() []KnownReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []KnownReport
	for _, k := range r.knowns { // collected, then sorted
		out = append(out, *k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// opsTotal counts the non-SIMD opcodes of Wasm 2.0.
var opsTotal = func() int {
	n := 0
	for op := 0; op < 0x10000; op++ {
		if o := wasm.Opcode(op); o.Valid() && o>>8 != 0xFD {
			n++
		}
	}
	return n
}()

// cover records the opcodes in m's bodies; seen is the worker's own set,
// so the shared one is locked only for opcodes new to the worker.
func (r *campaignRun) cover(m *wasm.Module, seen *[0x10000]bool) {
	for _, c := range m.Codes {
		for pc := uint32(0); pc < uint32(len(c.Body)); {
			in, next, err := wasm.ReadInstr(c.Body, pc)
			if err != nil || next <= pc {
				break
			}
			pc = next
			op := in.Opcode()
			if seen[op] {
				continue
			}
			seen[op] = true
			r.mu.Lock()
			if !r.ops[op] {
				r.ops[op] = true
				if op>>8 == 0xFD {
					r.simdSeen++
				} else {
					r.opsSeen++
				}
			}
			r.mu.Unlock()
		}
	}
}

// errorf records err of module iter of worker w, keeping the earliest
// maxErrors in (iter, worker) order so that which errors are kept does not
// depend on scheduling.
func (r *campaignRun) errorf(w int, iter uint64, err error) {
	e := campaignError{iter: iter, w: w, msg: fmt.Sprintf("worker %d iter %d: %v", w, iter, err)}
	r.mu.Lock()
	defer r.mu.Unlock()
	i := sort.Search(len(r.errs), func(i int) bool { return e.before(r.errs[i]) })
	if i >= maxErrors {
		return
	}
	r.errs = append(r.errs, campaignError{})
	copy(r.errs[i+1:], r.errs[i:])
	r.errs[i] = e
	if len(r.errs) > maxErrors {
		r.errs = r.errs[:maxErrors]
	}
}

// worker makes modules w of the campaign: module iter comes from the seed
// ModuleSeed(Seed, w, iter), generated or, every MutateEvery-th, mutated
// from the worker's previous module.
func (r *campaignRun) worker(ctx context.Context, w int) {
	c := r.c
	every := c.MutateEvery
	if every == 0 {
		every = 4
	}
	config := c.Config
	if config == nil {
		config = CampaignConfig
	}
	seen := new([0x10000]bool)
	var prev *wasm.Module
	for iter := uint64(0); c.Execs == 0 || iter < c.Execs; iter++ {
		if ctx.Err() != nil {
			return
		}
		ms := ModuleSeed(c.Seed, w, iter)
		src := NewSeedSource(ms)
		origin := "generate"
		var m *wasm.Module
		if every > 0 && prev != nil && iter%uint64(every) == uint64(every-1) {
			m, origin = Mutate(prev, src), "mutate"
		} else {
			var err error
			if m, err = GenerateFrom(src, config(src)); err != nil {
				r.errorf(w, iter, err)
				return
			}
		}
		r.cover(m, seen)
		calls := PlanCalls(m, src)
		d, err := c.Oracle.Check(ctx, m, calls)
		if ctx.Err() != nil {
			return // an interrupted check is no result
		}
		if errors.Is(err, corpus.ErrEngineTimeout) {
			// No result, but the module was made and run: the next
			// mutation still starts from it, so a timeout never changes
			// which modules the campaign makes.
			r.execs.Add(1)
			r.timedOut.Add(1)
			r.errorf(w, iter, err)
			prev = m
			continue
		}
		if err != nil {
			r.rejected.Add(1)
			r.errorf(w, iter, err)
			continue
		}
		r.execs.Add(1)
		prev = m
		if d != nil && c.Known != nil {
			if id := c.Known(ctx, m, calls, d); id != "" {
				r.countKnown(id, d.Signature)
				continue
			}
		}
		if d != nil {
			r.found(ctx, w, iter, ms, origin, m, calls, d)
		}
	}
}

// found counts a divergence, stores it at once and then minimizes it.
func (r *campaignRun) found(ctx context.Context, w int, iter, ms uint64, origin string, m *wasm.Module, calls []corpus.Call, d *corpus.Divergence) {
	c := r.c
	r.findings.Add(1)
	r.mu.Lock()
	rep := r.sigs[d.Signature]
	if rep == nil {
		rep = &SignatureReport{Signature: d.Signature, Worker: w, Iter: iter, FoundAfter: time.Since(r.start)}
		r.sigs[d.Signature] = rep
	} else if iter < rep.Iter || iter == rep.Iter && w < rep.Worker {
		*rep = SignatureReport{Signature: d.Signature, Count: rep.Count, Worker: w, Iter: iter, FoundAfter: rep.FoundAfter}
	}
	rep.Count++
	first := rep.Worker == w && rep.Iter == iter
	r.mu.Unlock()
	if c.Store == nil || !first {
		return
	}
	bin := wasm.Encode(m)
	f := &corpus.Finding{
		Signature: d.Signature, Divergence: *d, Engines: c.Engines, Calls: calls,
		Seed: c.Seed, Worker: w, Iter: iter, ModuleSeed: ms, Origin: origin,
		Found: time.Now().UTC(), Funcs: len(m.Funcs),
	}
	ok, err := c.Store.Put(f, bin)
	if err != nil {
		r.errorf(w, iter, err)
		return
	}
	if !ok {
		// Not lost: the store keeps an earlier finding of the signature;
		// the summary names it.
		if id := c.Store.IDOf(d.Signature); id != "" {
			r.update(w, iter, d.Signature, func(rep *SignatureReport) { rep.ID, rep.Existing = id, true })
		}
		return
	}
	r.mu.Lock()
	r.stored[d.Signature] = true
	r.mu.Unlock()
	r.update(w, iter, d.Signature, func(rep *SignatureReport) { rep.ID, rep.Size = f.ID, f.Size })
	if c.MinimizeTries < 0 {
		return
	}
	var one []corpus.Call // the diverging call (none for a gate crash)
	if d.Call >= 0 && d.Call < len(calls) {
		one = []corpus.Call{calls[d.Call]}
	}
	// A candidate that timed out is neither kept nor dropped: the
	// minimization stops there, incomplete, so that a timeout can only
	// cut it short, never steer it to another module.
	mctx, stop := context.WithCancel(ctx)
	defer stop()
	keep := func(cand *wasm.Module) bool {
		dd, err := c.Oracle.Check(mctx, cand, one)
		if errors.Is(err, corpus.ErrEngineTimeout) {
			r.timedOut.Add(1)
			r.errorf(w, iter, fmt.Errorf("minimize: %w", err))
			stop()
			return false
		}
		return err == nil && dd != nil && dd.Signature == d.Signature
	}
	res := corpus.Minimize(mctx, m, keep, corpus.MinimizeOptions{MaxTries: c.MinimizeTries})
	mbin := wasm.Encode(res.Module)
	info := corpus.Minimized{
		Size: len(mbin), Funcs: len(res.Module.Funcs), Instrs: corpus.CountInstrs(res.Module),
		Calls: one, Tries: res.Tries, Steps: res.Steps, Complete: res.Complete,
	}
	if err := c.Store.PutMinimized(f.ID, mbin, info); err != nil {
		if !errors.Is(err, corpus.ErrNotFound) {
			r.errorf(w, iter, err)
		}
		return
	}
	r.update(w, iter, d.Signature, func(rep *SignatureReport) { rep.MinFuncs, rep.MinSize = info.Funcs, info.Size })
}

// update applies fn to the report of sig if it still describes the
// finding of (w, iter).
func (r *campaignRun) update(w int, iter uint64, sig string, fn func(*SignatureReport)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rep := r.sigs[sig]; rep != nil && rep.Worker == w && rep.Iter == iter {
		fn(rep)
	}
}
