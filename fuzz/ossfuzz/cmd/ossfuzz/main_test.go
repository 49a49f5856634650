package main

import (
	"bytes"
	"os"
	"testing"
)

// TestDictUpToDate: the committed dictionary is what dict generates (run
// go run ./fuzz/ossfuzz/cmd/ossfuzz dict -o fuzz/ossfuzz/wasm.dict after
// changing the opcode table).
func TestDictUpToDate(t *testing.T) {
	committed, err := os.ReadFile("../../wasm.dict")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, dictionary()) {
		t.Fatal("fuzz/ossfuzz/wasm.dict is stale: go run ./fuzz/ossfuzz/cmd/ossfuzz dict -o fuzz/ossfuzz/wasm.dict")
	}
	if n := bytes.Count(committed, []byte("\nop_")); n < 190 {
		t.Fatalf("dictionary has %d opcodes", n)
	}
}
