package referee

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
)

var exampleCommitments = map[string]string{
	"token.json": "0xe819613cba3a285bea9975ec05b286306a911726ec7e689fcb28616cae994ea4",
	"mixed.json": "0x668ce195f72b15f0117a5787ff679970e64065aa2315f5b13f4d38022c3dcf44",
	"traps.json": "0x77cef6b03f3e65550741c0e91012e922b43f2c98ae88da8d0ddd125b89aa114e",
}

func load(t testing.TB, name string) *block.Block {
	t.Helper()
	b, err := block.Load("examples/blocks/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCheckerConcurrent: one Checker, many blocks at once on every engine
// built in: every verdict is the CLI's commitment, and each contract is
// compiled once per engine however many checks ran it.
func TestCheckerConcurrent(t *testing.T) {
	var mu sync.Mutex
	compiles := map[string]int{}
	k, err := NewChecker(Config{OnCompile: func(e string, _ time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		compiles[e]++
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	blocks := map[string]*block.Block{}
	for name := range exampleCommitments {
		blocks[name] = load(t, name)
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		for name, want := range exampleCommitments {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := k.Check(context.Background(), blocks[name], nil)
				if err != nil {
					t.Error(err)
					return
				}
				c, ok := v.Commitment()
				if got := block.FormatHex(c[:]); !ok || got != want {
					t.Errorf("%s: commitment %s (agree %v), want %s", name, got, ok, want)
				}
			}()
		}
	}
	wg.Wait()
	contracts := map[string]bool{}
	for _, b := range blocks {
		for _, c := range b.Pre.Contracts {
			contracts[string(c.Code)] = true
		}
	}
	for e, n := range compiles {
		if n != len(contracts) {
			t.Errorf("%s: %d compilations, want %d", e, n, len(contracts))
		}
	}
}

// TestCheckerEngines: a check picks among the configured engines, may add
// a planted one, and an unknown engine is bad input.
func TestCheckerEngines(t *testing.T) {
	k, err := NewChecker(Config{Engines: []string{"reference", "wazero-interp"}})
	if err != nil {
		t.Fatal(err)
	}
	b := load(t, "token.json")
	v, err := k.Check(context.Background(), b, &CheckOptions{Engines: []string{"wazero-interp", "planted:gas@4"}})
	if err != nil {
		t.Fatal(err)
	}
	if dv := v.Report.Divergence; dv == nil || dv.Tx != 4 || dv.Class != diff.ClassGas || v.Report.Engines[0] != "wazero-interp" {
		t.Fatalf("divergence %+v engines %v", dv, v.Report.Engines)
	}
	for _, names := range [][]string{{"reference", "v8"}, {"wasmtime-nope"}, {"reference", "reference"}} {
		if _, err := k.Check(context.Background(), b, &CheckOptions{Engines: names}); !errors.Is(err, ErrUnknownEngine) {
			t.Errorf("engines %v: error %v, want ErrUnknownEngine", names, err)
		}
	}
	if _, err := NewChecker(Config{Engines: []string{"v8"}}); !errors.Is(err, ErrUnknownEngine) {
		t.Errorf("NewChecker with v8: %v", err)
	}
	k.Close()
	if _, err := k.Check(context.Background(), b, nil); err == nil {
		t.Error("a closed checker checked a block")
	}
}
