package corpus

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/refereevm/referee/internal/input"
)

// maxStoredFile bounds what the store reads back (a findings directory
// may come from another machine): a module is at most the decoder's
// 64 MiB, a record far less.
const maxStoredFile = 64 << 20

// ErrNotFound is returned for an ID (or prefix) no stored finding has.
var ErrNotFound = errors.New("no such finding")

// Store is a directory of findings, one per signature. It is safe for
// concurrent use by the goroutines of one process and, on Unix, by
// several processes (campaigns, merges, imports) on one directory: every
// update takes the directory's lock (DIR/.lock, an flock) and re-reads the
// findings on disk before deciding, so one signature is never written by
// two of them at once and a finding another process stored is seen.
type Store struct {
	dir string

	mu    sync.Mutex
	bySig map[string]*Finding // signature -> stored finding (lookups only, never iterated)
}

// File names inside the store.
const (
	recordExt    = ".json"
	moduleExt    = ".wasm"
	minModuleExt = ".min.wasm"
	lockName     = ".lock"
)

// Open opens the store in dir, creating the directory if needed, and
// indexes the findings already there by signature.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	return open(dir)
}

// ErrNoStore: OpenExisting was given a directory that does not exist.
var ErrNoStore = errors.New("no findings directory")

// OpenExisting opens the store in dir for reading what it holds: unlike
// Open it never creates dir, and a missing dir is ErrNoStore.
func OpenExisting(dir string) (*Store, error) {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("corpus: %s: %w", dir, ErrNoStore)
	}
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("corpus: %s: not a directory", dir)
	}
	return open(dir)
}

func open(dir string) (*Store, error) {
	s := &Store{dir: dir, bySig: map[string]*Finding{}}
	if err := s.reindex(); err != nil {
		return nil, err
	}
	return s, nil
}

// reindex rebuilds the signature index from the findings on disk (which
// another process may have changed). Where two findings of one signature
// are on disk (left by an older referee without the lock), the first in
// campaign order is the one the store keeps.
func (s *Store) reindex() error {
	fs, err := s.List()
	if err != nil {
		return err
	}
	by := map[string]*Finding{}
	for _, f := range fs { // List is sorted: the choice does not depend on directory order
		if g := by[f.Signature]; g == nil || f.before(g) {
			by[f.Signature] = f
		}
	}
	s.bySig = by
	return nil
}

// locked runs fn holding the in-process mutex and the directory's lock,
// with the index fresh from disk.
func (s *Store) locked(fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := lockDir(s.dir)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.reindex(); err != nil {
		return err
	}
	return fn()
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// Put stores f with its module unless a finding of the same signature is
// already stored and comes before f (Finding order: same campaign,
// earlier iteration, then lower worker; a finding of another campaign is
// always kept). A finding f replaces is removed; if it has f's ID (the
// same module and calls) only its record is rewritten. Put sets f.ID,
// f.Size and f.Signature (from f.Divergence when empty) and reports
// whether f was stored. The module is written before the record and both by rename, so
// a crash never leaves a record without its module.
func (s *Store) Put(f *Finding, module []byte) (bool, error) {
	f.ID = ComputeID(module, f.Calls)
	f.Size = len(module)
	if f.Signature == "" {
		f.Signature = f.Divergence.Signature
	}
	stored := false
	err := s.locked(func() error {
		var err error
		stored, err = s.put(f, module)
		return err
	})
	return stored, err
}

func (s *Store) put(f *Finding, module []byte) (bool, error) {
	old := s.bySig[f.Signature]
	if old != nil && !f.before(old) {
		return false, nil
	}
	if old != nil && old.ID == f.ID {
		// The same module and calls, found earlier in the campaign's
		// order (two workers made identical modules): only the record
		// changes, so that the store ends the same whichever was found
		// first; the module and any minimized module stay.
		f.Minimized = old.Minimized
		if err := s.writeRecord(f); err != nil {
			return false, err
		}
		s.bySig[f.Signature] = f
		return true, nil
	}
	if err := s.writeFile(f.ID+moduleExt, module); err != nil {
		return false, err
	}
	if err := s.writeRecord(f); err != nil {
		return false, err
	}
	s.bySig[f.Signature] = f
	if old != nil {
		s.remove(old.ID)
	}
	return true, nil
}

// PutMinimized stores the minimized module of finding id and records info
// in its record. It returns ErrNotFound if the finding has been replaced
// meanwhile (a finding earlier in the campaign's order had the same
// signature); nothing is written then.
func (s *Store) PutMinimized(id string, module []byte, info Minimized) error {
	return s.locked(func() error { return s.putMinimized(id, module, info) })
}

func (s *Store) putMinimized(id string, module []byte, info Minimized) error {
	f, err := s.read(id)
	if err != nil {
		return err
	}
	if cur := s.bySig[f.Signature]; cur == nil || cur.ID != id {
		return fmt.Errorf("finding %s: %w (replaced)", id, ErrNotFound)
	}
	if err := s.writeFile(id+minModuleExt, module); err != nil {
		return err
	}
	f.Minimized = &info
	if err := s.writeRecord(f); err != nil {
		return err
	}
	s.bySig[f.Signature] = f
	return nil
}

// Has reports whether a finding with this signature is stored.
func (s *Store) Has(signature string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bySig[signature] != nil
}

// IDOf returns the ID of the stored finding with this signature, or ""
// if there is none: after Put reports false, the finding that keeps the
// signature (found earlier, or by another campaign).
func (s *Store) IDOf(signature string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.bySig[signature]; f != nil {
		return f.ID
	}
	return ""
}

// Get reads the finding whose ID is id or starts with id (a prefix must
// match exactly one finding).
func (s *Store) Get(id string) (*Finding, error) {
	full, err := s.resolve(id)
	if err != nil {
		return nil, err
	}
	return s.read(full)
}

// Module returns the module of finding id as found.
func (s *Store) Module(id string) ([]byte, error) {
	full, err := s.resolve(id)
	if err != nil {
		return nil, err
	}
	return input.ReadFile(filepath.Join(s.dir, full+moduleExt), maxStoredFile)
}

// MinModule returns the minimized module of finding id, or ErrNotFound
// when it has none yet.
func (s *Store) MinModule(id string) ([]byte, error) {
	full, err := s.resolve(id)
	if err != nil {
		return nil, err
	}
	b, err := input.ReadFile(filepath.Join(s.dir, full+minModuleExt), maxStoredFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("finding %s: minimized module: %w", full, ErrNotFound)
	}
	return b, err
}

// List returns every stored finding sorted by signature, then ID.
func (s *Store) List() ([]*Finding, error) {
	ids, err := s.ids()
	if err != nil {
		return nil, err
	}
	var out []*Finding
	for _, id := range ids {
		f, err := s.read(id)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Signature != out[j].Signature {
			return out[i].Signature < out[j].Signature
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// ids lists the IDs of complete findings (a record and its module), sorted.
func (s *Store) ids() ([]string, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	var ids []string
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, recordExt) || strings.HasPrefix(name, ".") {
			continue
		}
		id := strings.TrimSuffix(name, recordExt)
		if _, err := os.Stat(filepath.Join(s.dir, id+moduleExt)); err != nil {
			continue
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

func (s *Store) resolve(id string) (string, error) {
	if id == "" {
		return "", fmt.Errorf("empty finding id: %w", ErrNotFound)
	}
	ids, err := s.ids()
	if err != nil {
		return "", err
	}
	var match []string
	for _, x := range ids {
		if x == id {
			return x, nil
		}
		if strings.HasPrefix(x, id) {
			match = append(match, x)
		}
	}
	switch len(match) {
	case 0:
		return "", fmt.Errorf("finding %s in %s: %w", id, s.dir, ErrNotFound)
	case 1:
		return match[0], nil
	}
	return "", fmt.Errorf("finding id %s is ambiguous: %d findings start with it", id, len(match))
}

func (s *Store) read(id string) (*Finding, error) {
	b, err := input.ReadFile(filepath.Join(s.dir, id+recordExt), maxStoredFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("finding %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	var f Finding
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("corpus: %s%s: %w", id, recordExt, err)
	}
	if f.ID != id {
		return nil, fmt.Errorf("corpus: %s%s: record says id %s", id, recordExt, f.ID)
	}
	return &f, nil
}

func (s *Store) writeRecord(f *Finding) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("corpus: finding %s: %w", f.ID, err)
	}
	return s.writeFile(f.ID+recordExt, append(b, '\n'))
}

// writeFile writes name atomically: a temporary file in the same
// directory, synced, then renamed over name.
func (s *Store) writeFile(name string, data []byte) error {
	tmp, err := os.CreateTemp(s.dir, ".tmp-"+name+"-*")
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), filepath.Join(s.dir, name))
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("corpus: write %s: %w", name, werr)
	}
	return nil
}

// remove deletes a replaced finding, record first so that it is never
// listed without its module.
func (s *Store) remove(id string) {
	for _, ext := range []string{recordExt, minModuleExt, moduleExt} {
		os.Remove(filepath.Join(s.dir, id+ext))
	}
}
