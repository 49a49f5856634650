package block

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
)

// JSON returns the block as self-contained JSON in the format Parse reads:
// code inlined as codeBase64 (so a replay bundle needs no other file),
// contracts sorted by address, storage keys sorted, hex in lower case,
// indented by two spaces. Parse(b.JSON()) yields a block equal to b except
// that CodeFile is empty.
func (b *Block) JSON() []byte {
	var buf bytes.Buffer
	w := func(s string) { buf.WriteString(s) }
	str := func(s string) {
		q, _ := json.Marshal(s) // a string always marshals
		buf.Write(q)
	}
	w("{\n  \"version\": 1,\n")
	if b.Comment != "" {
		w("  \"comment\": ")
		str(b.Comment)
		w(",\n")
	}
	w("  \"pre\": ")
	writePre(&buf, b.Pre, "  ")
	w(",\n  \"txs\": [")
	for i, tx := range b.Txs {
		if i > 0 {
			w(",")
		}
		w("\n    {")
		if tx.Comment != "" {
			w("\"comment\": ")
			str(tx.Comment)
			w(", ")
		}
		w("\"contract\": ")
		str(tx.Contract)
		w(", \"entry\": ")
		str(tx.Entry)
		if len(tx.Input) > 0 {
			w(", \"input\": ")
			str(FormatHex(tx.Input))
		}
		gas, _ := json.Marshal(tx.GasLimit)
		w(", \"gasLimit\": ")
		buf.Write(gas)
		w("}")
	}
	w("\n  ]\n}\n")
	return buf.Bytes()
}

// JSON returns the pre-state as the JSON object a block's "pre" field
// holds, code inlined as codeBase64, in the layout of Block.JSON: what
// referee check --post-state writes, so that the post-state of one block
// is the pre-state of the next.
func (p PreState) JSON() []byte {
	var buf bytes.Buffer
	writePre(&buf, p, "")
	buf.WriteString("\n")
	return buf.Bytes()
}

// writePre writes p as a "pre" object whose closing brace is indented by
// ind.
func writePre(buf *bytes.Buffer, p PreState, ind string) {
	w := func(s string) { buf.WriteString(s) }
	str := func(s string) {
		q, _ := json.Marshal(s) // a string always marshals
		buf.Write(q)
	}
	w("{\n" + ind + "  \"contracts\": [")
	for i, c := range p.Contracts {
		if i > 0 {
			w(",")
		}
		w("\n" + ind + "    {\n" + ind + "      \"address\": ")
		str(c.Address)
		if c.Comment != "" {
			w(",\n" + ind + "      \"comment\": ")
			str(c.Comment)
		}
		w(",\n" + ind + "      \"codeBase64\": ")
		str(base64.StdEncoding.EncodeToString(c.Code))
		if len(c.Storage) > 0 {
			w(",\n" + ind + "      \"storage\": {")
			st := append([]Entry(nil), c.Storage...)
			sortEntries(st)
			for j, e := range st {
				if j > 0 {
					w(",")
				}
				w("\n" + ind + "        ")
				str(FormatHex(e.Key))
				w(": ")
				str(FormatHex(e.Value))
			}
			w("\n" + ind + "      }")
		}
		w("\n" + ind + "    }")
	}
	w("\n" + ind + "  ]\n" + ind + "}")
}
