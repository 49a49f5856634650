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
// comparison. Engines are interruptible, as in the CLI; all-nointerrupt
// runs all engines without wazero's close-on-context-done and wasmtime's
// epochs (referee check --interrupt=false).
func BenchmarkCheck(b *testing.B) {
	all := testEngines(b)
	plain, err := Engines(AllEngineNames(), EngineConfig{Interruptible: false})
	if err != nil {
		b.Fatal(err)
	}
	defer CloseEngines(plain)
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
		b.Run(name+"/all-nointerrupt", func(b *testing.B) { run(b, plain) })
	}
}
