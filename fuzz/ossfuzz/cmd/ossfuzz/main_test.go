package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/refereevm/referee/wasm"
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

// TestDictOpcodes: every opcode token is a valid opcode as the binary
// format encodes it (a prefixed one: the prefix byte, then its sub-opcode
// in minimal LEB128), and the 236 vector instructions are all there.
func TestDictOpcodes(t *testing.T) {
	vector := 0
	for _, line := range strings.Split(string(dictionary()), "\n") {
		name, quoted, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(name, "op_") {
			continue
		}
		tok, err := strconv.Unquote(quoted)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		b := []byte(tok)
		op := wasm.Opcode(b[0])
		if len(b) > 1 {
			sub, n := binary.Uvarint(b[1:])
			if n != len(b)-1 || sub > 0xff || (n > 1 && b[n] == 0) {
				t.Errorf("%s: sub-opcode is not one minimal LEB128", line)
				continue
			}
			op = wasm.Opcode(uint64(b[0])<<8 | sub)
		}
		if !op.Valid() || strings.NewReplacer(".", "_", "/", "_").Replace(op.String()) != name[len("op_"):] {
			t.Errorf("%s decodes as %v", line, op)
		}
		if op>>8 == 0xFD {
			vector++
		}
	}
	if vector != 236 {
		t.Errorf("%d vector instructions in the dictionary, want 236", vector)
	}
}
