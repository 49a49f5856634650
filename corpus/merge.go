package corpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/refereevm/referee/internal/input"
)

// ReadDir returns the complete findings of a findings directory, sorted
// by signature then ID, without creating or changing anything; a missing
// directory is an error.
func ReadDir(dir string) ([]*Finding, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("corpus: %s is not a directory", dir)
	}
	return (&Store{dir: dir}).List()
}

// ReproducerSize is the size of a finding's smallest reproducer: its
// minimized module if it has one, else its module as found.
func (f *Finding) ReproducerSize() int {
	if f.Minimized != nil && f.Minimized.Size > 0 {
		return f.Minimized.Size
	}
	return f.Size
}

// smaller reports whether f is a better reproducer than g: a smaller one,
// or (the same size) the one with the smaller ID, so that the choice does
// not depend on the order directories are merged in.
func (f *Finding) smaller(g *Finding) bool {
	if a, b := f.ReproducerSize(), g.ReproducerSize(); a != b {
		return a < b
	}
	return f.ID < g.ID
}

// MergeAction says what a merge did with one signature.
type MergeAction struct {
	Signature string `json:"signature"`
	// Action is "added" (the store had no finding of the signature),
	// "replaced" (a smaller reproducer replaced the store's) or "kept" (the
	// store's was the smallest).
	Action   string `json:"action"`
	ID       string `json:"id"`                 // the finding the store keeps
	From     string `json:"from,omitempty"`     // the directory it came from ("" for the store's own)
	Replaced string `json:"replaced,omitempty"` // the finding it replaced
	Size     int    `json:"size"`               // its reproducer's size
}

// Merge merges the findings of the directories srcs into the store: one
// finding per signature, the smallest reproducer of all (ties: the smaller
// ID). A finding moves with its module, its minimized module and its
// record, each written by rename, the record last. Merging is idempotent
// (merging the same directories again changes nothing) and does not
// depend on the order of srcs. It holds the store's lock while it
// writes, so it is safe beside a campaign on the same store; a source
// directory may be in use by a campaign too (findings are read whole or
// not at all). The actions are sorted by signature.
func (s *Store) Merge(srcs ...string) ([]MergeAction, error) {
	type cand struct {
		f    *Finding
		from string
	}
	var actions []MergeAction
	err := s.locked(func() error {
		best := map[string]cand{} // signature -> best so far (lookups; keys sorted below)
		for sig, f := range s.bySig {
			best[sig] = cand{f: f}
		}
		for _, dir := range srcs {
			fs, err := ReadDir(dir)
			if err != nil {
				return err
			}
			for _, f := range fs {
				if b, ok := best[f.Signature]; !ok || f.smaller(b.f) {
					best[f.Signature] = cand{f: f, from: dir}
				}
			}
		}
		var sigs []string
		for sig := range best {
			sigs = append(sigs, sig)
		}
		sort.Strings(sigs)
		for _, sig := range sigs {
			b, old := best[sig], s.bySig[sig]
			a := MergeAction{Signature: sig, ID: b.f.ID, From: b.from, Size: b.f.ReproducerSize()}
			switch {
			case b.from == "":
				a.Action = "kept"
			case old == nil:
				a.Action = "added"
			default:
				a.Action, a.Replaced = "replaced", old.ID
			}
			if b.from != "" {
				if err := s.copyIn(b.from, b.f, old); err != nil {
					if errors.Is(err, os.ErrNotExist) {
						// The source's finding was replaced while we read it:
						// the next merge sees its successor.
						continue
					}
					return err
				}
			}
			actions = append(actions, a)
		}
		return s.reindex()
	})
	return actions, err
}

// copyIn writes finding f of directory dir into the store and removes
// old (the store's finding of the same signature, if any and another).
func (s *Store) copyIn(dir string, f, old *Finding) error {
	mod, err := input.ReadFile(filepath.Join(dir, f.ID+moduleExt), maxStoredFile) // another machine's directory: bounded as the store's own
	if err != nil {
		return err
	}
	var min []byte
	if f.Minimized != nil {
		if min, err = input.ReadFile(filepath.Join(dir, f.ID+minModuleExt), maxStoredFile); err != nil {
			return err
		}
	}
	if ComputeID(mod, f.Calls) != f.ID {
		return fmt.Errorf("corpus: %s: finding %s: its module and calls do not hash to its ID", dir, f.ID)
	}
	if err := s.writeFile(f.ID+moduleExt, mod); err != nil {
		return err
	}
	if min != nil {
		if err := s.writeFile(f.ID+minModuleExt, min); err != nil {
			return err
		}
	}
	if err := s.writeRecord(f); err != nil {
		return err
	}
	if old != nil && old.ID != f.ID {
		s.remove(old.ID)
	}
	s.bySig[f.Signature] = f
	return nil
}
