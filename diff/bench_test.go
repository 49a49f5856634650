package diff

import (
	"context"
	"testing"
)

// BenchmarkCheck measures CheckBlock on each example block, per engine
// alone and with all engines together (run concurrently per transaction).
// Engines are built once and keep their compiled modules across
// iterations (a validator compiles a contract once), so this is the
// steady-state cost of checking a block: instantiation, execution,
// comparison. Engines are all interruptible (referee check --interrupt
// all); all-cheap is the CLI's default (no close-on-context-done for
// wazero), all-nointerrupt is --interrupt none.
func BenchmarkCheck(b *testing.B) {
	all := testEngines(b)
	plain, err := Engines(AllEngineNames(), EngineConfig{Interruptible: false})
	if err != nil {
		b.Fatal(err)
	}
	defer CloseEngines(plain)
	cheap, err := Engines(AllEngineNames(), EngineConfig{Interruptible: true, NoWazeroInterrupt: true})
	if err != nil {
		b.Fatal(err)
	}
	defer CloseEngines(cheap)
	for _, ex := range exampleCommitments {
		blk := loadExample(b, ex.block)
		run := func(b *testing.B, es []Engine) {
			// Warm the caches once outside the timer.
			if rep, err := CheckBlock(context.Background(), blk, es, DefaultOptions()); err != nil || rep.Divergence != nil {
				b.Fatalf("%v %+v", err, rep)
			}
			b.ResetTimer()
			for b.Loop() {
				rep, err := CheckBlock(context.Background(), blk, es, DefaultOptions())
				if err != nil || rep.Divergence != nil {
					b.Fatalf("%v %+v", err, rep)
				}
			}
		}
		name := ex.block[:len(ex.block)-len(".json")]
		for _, e := range all {
			b.Run(name+"/"+e.Name(), func(b *testing.B) { run(b, []Engine{e}) })
		}
		b.Run(name+"/all", func(b *testing.B) { run(b, all) })
		b.Run(name+"/all-cheap", func(b *testing.B) { run(b, cheap) })
		b.Run(name+"/all-nointerrupt", func(b *testing.B) { run(b, plain) })
	}
}
