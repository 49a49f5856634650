package remote

import (
	"fmt"
	"strconv"
)

// ProtocolVersion is the version of the engine protocol this package
// speaks (docs/engine-protocol.md).
const ProtocolVersion = 1

// message is every message of the protocol, in both directions: a request
// of the parent (op and id), a reply of the child (id and the fields of its
// op), a host call of the child (op "host", no id) and the parent's answer
// to it (op "host.return" or "host.trap"). Fields that do not apply are
// left out of the JSON.
type message struct {
	ID uint64 `json:"id,omitempty"`
	Op string `json:"op,omitempty"`

	// hello
	Protocol int    `json:"protocol,omitempty"`
	Engine   string `json:"engine,omitempty"`
	Version  string `json:"version,omitempty"`

	// compile, release
	Binary []byte `json:"binary,omitempty"` // base64
	Hash   string `json:"hash,omitempty"`   // hex sha256 of the module

	// host (the child's call back): the import's module and name
	Module string `json:"module,omitempty"`

	// instantiate
	As       string       `json:"as,omitempty"`
	Host     []hostImport `json:"host,omitempty"`
	Snapshot string       `json:"snapshot,omitempty"` // memory export whose pages are kept for dirty counts
	Set      []globalSet  `json:"set,omitempty"`      // exported globals to set right after instantiation
	Drop     bool         `json:"drop,omitempty"`     // observe: drop the instance after observing

	// invoke, observe, global.set, memory.*, drop
	Instance int      `json:"instance,omitempty"`
	Export   *string  `json:"export,omitempty"`
	Args     []string `json:"args,omitempty"`
	// Types, for children whose API does not tell them (V8's JS API):
	// the function's parameter and result types (invoke), the globals'
	// types (observe), the global's type (global.set).
	ParamTypes  []string `json:"paramTypes,omitempty"`
	ResultTypes []string `json:"resultTypes,omitempty"`
	GlobalTypes []string `json:"globalTypes,omitempty"`
	Type        string   `json:"type,omitempty"`
	Globals     []string `json:"globals,omitempty"`
	Memory      string   `json:"memory,omitempty"`
	Tables      []string `json:"tables,omitempty"`
	Dirty       bool     `json:"dirty,omitempty"`
	Name        string   `json:"name,omitempty"`
	Value       string   `json:"value,omitempty"`
	Offset      uint32   `json:"offset,omitempty"`
	Length      uint32   `json:"length,omitempty"`
	Data        []byte   `json:"data,omitempty"`

	// replies
	Error    string      `json:"error,omitempty"`
	Status   *wireStatus `json:"status,omitempty"`
	Results  []string    `json:"results,omitempty"`
	Mem      *wireMemory `json:"mem,omitempty"`
	Summary  [][2]string `json:"summaries,omitempty"`
	DirtyPgs *uint32     `json:"dirtyPages,omitempty"`

	// host.trap
	Message string `json:"message,omitempty"`
}

// hostImport is a function import the child binds to a call back to the
// parent.
type hostImport struct {
	Module  string   `json:"module"`
	Name    string   `json:"name"`
	Params  []string `json:"params"`
	Results []string `json:"results"`
}

// globalSet sets an exported mutable global.
type globalSet struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// wireStatus is a status as the child reports it.
type wireStatus struct {
	Status string `json:"status"`
	Trap   string `json:"trap,omitempty"`
	Detail string `json:"detail,omitempty"`
}

type wireMemory struct {
	Pages uint32 `json:"pages"`
	Hash  string `json:"hash"` // hex memoryHash
}

// bits encodes a value's raw bits as the protocol does: 0x-prefixed hex.
func bits(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

func parseBits(s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("value %q: want 0x-hex or decimal bits", s)
	}
	return v, nil
}

func bitsList(vs []uint64) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = bits(v)
	}
	return out
}

func parseBitsList(ss []string) ([]uint64, error) {
	out := make([]uint64, len(ss))
	for i, s := range ss {
		v, err := parseBits(s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func strp(s string) *string { return &s }
