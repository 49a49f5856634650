package corpus

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func testFinding(sig string, iter uint64, worker int) *Finding {
	return &Finding{
		Signature:  sig,
		Divergence: Divergence{Call: 1, Class: "value-mismatch", Field: "results[0]", Signature: sig, Engines: [2]string{"reference", "planted"}, Values: [2]string{"0x1", "0x2"}},
		Engines:    []string{"reference", "planted"},
		Calls:      []Call{{Export: "f0", Args: []uint64{1, 2}}, {Export: "f1", Args: []uint64{0xffffffffffffffff}}},
		Seed:       7, Worker: worker, Iter: iter, ModuleSeed: 99, Origin: "generate",
		Found: time.Date(2026, 11, 26, 13, 0, 0, 0, time.UTC),
		Funcs: 3,
	}
}

func TestStoreRoundTrip(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := testFinding("value-mismatch/results", 3, 1)
	mod := []byte("\x00asm\x01\x00\x00\x00")
	ok, err := s.Put(f, mod)
	if err != nil || !ok {
		t.Fatalf("Put = %v, %v; want stored", ok, err)
	}
	if f.ID != ComputeID(mod, f.Calls) || f.Size != len(mod) {
		t.Fatalf("Put set ID %s size %d", f.ID, f.Size)
	}
	for _, id := range []string{f.ID, f.ID[:8]} {
		got, err := s.Get(id)
		if err != nil {
			t.Fatalf("Get(%s): %v", id, err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Fatalf("Get(%s) = %+v\nwant %+v", id, got, f)
		}
	}
	b, err := s.Module(f.ID)
	if err != nil || !bytes.Equal(b, mod) {
		t.Fatalf("Module = %x, %v", b, err)
	}
	if _, err := s.MinModule(f.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("MinModule before minimization: %v, want ErrNotFound", err)
	}
	info := Minimized{Size: 8, Funcs: 1, Instrs: 3, Calls: f.Calls[1:], Tries: 10, Steps: 4, Complete: true}
	if err := s.PutMinimized(f.ID, mod[:8], info); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(f.ID)
	if err != nil || got.Minimized == nil || !reflect.DeepEqual(*got.Minimized, info) {
		t.Fatalf("after PutMinimized: %+v, %v", got, err)
	}
	// A fresh Open sees the same finding and its signature.
	s2, err := Open(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if !s2.Has(f.Signature) {
		t.Fatal("reopened store lost the signature")
	}
	if _, err := s.Get("zz"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(unknown) = %v, want ErrNotFound", err)
	}
}

func TestIDIgnoresTime(t *testing.T) {
	mod := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	a, b := testFinding("s", 1, 0), testFinding("s", 1, 0)
	b.Found = a.Found.Add(time.Hour)
	b.Divergence.Outcomes = nil
	sa, _ := Open(t.TempDir())
	sb, _ := Open(t.TempDir())
	sa.Put(a, mod)
	sb.Put(b, mod)
	if a.ID != b.ID {
		t.Fatalf("IDs differ with only the time changed: %s vs %s", a.ID, b.ID)
	}
	for _, c := range []struct {
		name  string
		mod   []byte
		calls []Call
	}{
		{"module byte", append(append([]byte(nil), mod[:7]...), 1), a.Calls},
		{"argument", mod, []Call{{Export: "f0", Args: []uint64{1, 3}}, a.Calls[1]}},
		{"export name", mod, []Call{{Export: "f", Args: []uint64{1, 2}}, a.Calls[1]}},
		{"call boundary", mod, []Call{{Export: "f0", Args: []uint64{1}}, {Export: "f1", Args: []uint64{2, 0xffffffffffffffff}}}},
	} {
		if ComputeID(c.mod, c.calls) == a.ID {
			t.Errorf("%s: changing it did not change the ID", c.name)
		}
	}
}

func TestStoreDedup(t *testing.T) {
	tests := []struct {
		name      string
		first     *Finding
		second    *Finding
		stored    bool   // second stored
		remaining string // which one is left: "first" or "second"
	}{
		{"later iteration dropped", testFinding("sig", 2, 0), testFinding("sig", 5, 0), false, "first"},
		{"earlier iteration replaces", testFinding("sig", 5, 0), testFinding("sig", 2, 1), true, "second"},
		{"same iteration lower worker replaces", testFinding("sig", 2, 1), testFinding("sig", 2, 0), true, "second"},
		{"other campaign kept out", testFinding("sig", 5, 0), func() *Finding { f := testFinding("sig", 0, 0); f.Seed = 8; return f }(), false, "first"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := Open(t.TempDir())
			if ok, err := s.Put(tc.first, []byte("module-1")); !ok || err != nil {
				t.Fatalf("first Put = %v, %v", ok, err)
			}
			ok, err := s.Put(tc.second, []byte("module-2"))
			if err != nil || ok != tc.stored {
				t.Fatalf("second Put = %v, %v; want %v", ok, err, tc.stored)
			}
			list, err := s.List()
			if err != nil || len(list) != 1 {
				t.Fatalf("List = %d findings, %v; want 1", len(list), err)
			}
			want := tc.first
			if tc.remaining == "second" {
				want = tc.second
			}
			if list[0].ID != want.ID {
				t.Fatalf("kept %s, want the %s finding %s", list[0].ID, tc.remaining, want.ID)
			}
			if tc.stored {
				// The replaced finding cannot take a minimized module any more.
				if err := s.PutMinimized(tc.first.ID, []byte("m"), Minimized{}); !errors.Is(err, ErrNotFound) {
					t.Fatalf("PutMinimized on a replaced finding: %v", err)
				}
			}
		})
	}
	// The same input twice is one finding.
	s, _ := Open(t.TempDir())
	f := testFinding("sig", 1, 0)
	s.Put(f, []byte("m"))
	if ok, _ := s.Put(testFinding("sig", 1, 0), []byte("m")); ok {
		t.Fatal("the same finding was stored twice")
	}
}

// TestStoreSameModuleEarlier: two workers made the same module (same ID);
// whichever is put first, the store ends with the earlier one's record and
// keeps the minimized module already written.
func TestStoreSameModuleEarlier(t *testing.T) {
	for _, order := range []string{"later first", "earlier first"} {
		t.Run(order, func(t *testing.T) {
			s, _ := Open(t.TempDir())
			early, late := testFinding("sig", 2, 0), testFinding("sig", 5, 1)
			first, second := late, early
			if order == "earlier first" {
				first, second = early, late
			}
			if ok, err := s.Put(first, []byte("m")); !ok || err != nil {
				t.Fatalf("first Put = %v, %v", ok, err)
			}
			if err := s.PutMinimized(first.ID, []byte("min"), Minimized{Size: 3, Complete: true}); err != nil {
				t.Fatal(err)
			}
			ok, err := s.Put(second, []byte("m"))
			if err != nil || ok != (second == early) {
				t.Fatalf("second Put = %v, %v; want %v", ok, err, second == early)
			}
			list, err := s.List()
			if err != nil || len(list) != 1 {
				t.Fatalf("List = %d findings, %v; want 1", len(list), err)
			}
			if f := list[0]; f.Iter != 2 || f.Worker != 0 || f.Minimized == nil || f.Minimized.Size != 3 {
				t.Fatalf("kept iter %d worker %d minimized %+v; want iter 2 worker 0, minimized", f.Iter, f.Worker, f.Minimized)
			}
			if b, err := s.MinModule(list[0].ID); err != nil || string(b) != "min" {
				t.Fatalf("MinModule = %q, %v", b, err)
			}
		})
	}
}

func TestStoreIgnoresPartialWrites(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir)
	f := testFinding("sig", 1, 0)
	s.Put(f, []byte("m"))
	// A crash between the two renames of a second finding leaves a module
	// without record; a crash inside writeFile leaves a temporary file; a
	// record whose module is gone is not listed.
	os.WriteFile(filepath.Join(dir, "ab"+moduleExt), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, ".tmp-cd.json-123"), []byte("{"), 0o644)
	os.WriteFile(filepath.Join(dir, "ef"+recordExt), []byte(`{"id":"ef"}`), 0o644)
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0].ID != f.ID {
		t.Fatalf("List = %v, %v; want only %s", list, err, f.ID)
	}
}
