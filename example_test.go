package referee_test

import (
	"context"
	"fmt"
	"log"

	"github.com/refereevm/referee"
	"github.com/refereevm/referee/block"
)

// A node checks each block before accepting it: a Checker keeps its
// engines and compiled contracts from one block to the next.
func ExampleChecker() {
	k, err := referee.NewChecker(referee.Config{Engines: []string{"reference", "wazero-interp", "wazero-compiler"}})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()
	b, err := block.Load("examples/blocks/token.json")
	if err != nil {
		log.Fatal(err)
	}
	v, err := k.Check(context.Background(), b, nil)
	if err != nil {
		log.Fatal(err) // bad input: the block, not the engines
	}
	if c, ok := v.Commitment(); ok {
		fmt.Printf("accept: %d receipts, post-state %x\n", len(v.Report.Receipts), c)
	}
	// Output:
	// accept: 9 receipts, post-state e819613cba3a285bea9975ec05b286306a911726ec7e689fcb28616cae994ea4
}

// A refusal names the first transaction the engines disagree on, the
// class of the disagreement and a stable signature; its replay bundle
// reproduces it elsewhere.
func ExampleChecker_refusal() {
	k, err := referee.NewChecker(referee.Config{Engines: []string{"reference"}})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()
	b, err := block.Load("examples/blocks/token.json")
	if err != nil {
		log.Fatal(err)
	}
	// "planted" is the reference machine with one return byte corrupted.
	v, err := k.Check(context.Background(), b, &referee.CheckOptions{Engines: []string{"reference", "planted"}})
	if err != nil {
		log.Fatal(err)
	}
	if dv := v.Report.Divergence; dv != nil {
		fmt.Printf("refuse: tx %d, %s\n", dv.Tx, dv.Signature)
		for _, f := range v.Bundle() {
			fmt.Println(f.Name)
		}
	}
	// Output:
	// refuse: tx 2, value-mismatch/returnData
	// block.json
	// modules/0x0000000000000000000000000000000000000001.wasm
	// modules/0x0000000000000000000000000000000000000001.instrumented.wasm
	// outcomes.json
	// README.txt
}

// Receipts arrive as soon as the engines agree on them, before the block
// is done.
func ExampleCheckOptions_onReceipt() {
	k, err := referee.NewChecker(referee.Config{Engines: []string{"reference", "wazero-interp"}})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()
	b, err := block.Load("examples/blocks/token.json")
	if err != nil {
		log.Fatal(err)
	}
	b.Txs = b.Txs[:3]
	_, err = k.Check(context.Background(), b, &referee.CheckOptions{OnReceipt: func(tx int, r block.Receipt) {
		fmt.Printf("tx %d: %s\n", tx, r)
	}})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// tx 0: ok gas=3385 return=0x8403000000000000 logs=1 writes=2
	// tx 1: ok gas=3372 return=0x5e01000000000000 logs=1 writes=2
	// tx 2: abort (code 2) gas=520
}

// The post-state of an accepted block is the pre-state of the next.
func ExampleVerdict_PostState() {
	k, err := referee.NewChecker(referee.Config{Engines: []string{"reference"}})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()
	b, err := block.Load("examples/blocks/token.json")
	if err != nil {
		log.Fatal(err)
	}
	v, err := k.Check(context.Background(), b, nil)
	if err != nil {
		log.Fatal(err)
	}
	next := &block.Block{Version: block.Version, Pre: v.PostState(), Txs: b.Txs[7:]} // alice's balance, the supply
	v2, err := k.Check(context.Background(), next, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range v2.Report.Receipts {
		fmt.Println(r)
	}
	// Output:
	// ok gas=512 return=0xb004000000000000
	// ok gas=416 return=0x0e06000000000000
}

// A dispute over a transaction comes down to one step: its proof is
// checked from its bytes alone, and its post-state is the root after
// that step.
func ExampleProveTx() {
	b, err := block.Load("examples/blocks/token.json")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	s, err := referee.ProveTx(ctx, b, 0, 41)
	if err != nil {
		log.Fatal(err)
	}
	post, err := referee.VerifyStep(s.Pre, s.Proof)
	if err != nil {
		log.Fatal(err)
	}
	root, err := referee.TxRoot(ctx, b, 0, 42)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("step %d (%s): %x -> %x\n", s.N, s.Op, s.Pre[:4], post[:4])
	fmt.Println("root after step 42 is the proof's post-state:", root == post)
	// Output:
	// step 42 (i64.const): 03c49c26 -> 58e67e3c
	// root after step 42 is the proof's post-state: true
}
