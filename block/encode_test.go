package block

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	for _, name := range []string{"token.json", "mixed.json", "traps.json"} {
		t.Run(name, func(t *testing.T) {
			b, err := Load(filepath.Join("..", "examples", "blocks", name))
			if err != nil {
				t.Fatal(err)
			}
			data := b.JSON()
			back, err := Parse(data, t.TempDir()) // no file to resolve: the code is inline
			if err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			for i := range b.Pre.Contracts {
				b.Pre.Contracts[i].CodeFile = ""
			}
			if !reflect.DeepEqual(normalize(b), normalize(back)) {
				t.Fatalf("round trip changed the block:\n%s", data)
			}
			if !bytes.Equal(back.JSON(), data) {
				t.Error("JSON is not a fixed point")
			}
		})
	}
}

// normalize maps empty byte slices to nil so that DeepEqual compares content.
func normalize(b *Block) *Block {
	out := *b
	out.Txs = append([]Tx(nil), b.Txs...)
	for i := range out.Txs {
		if len(out.Txs[i].Input) == 0 {
			out.Txs[i].Input = nil
		}
	}
	return &out
}
