package spectest

import (
	"encoding/json"
	"fmt"

	"github.com/refereevm/referee/internal/input"
)

// commandFile is the top level of a wast2json output file.
type commandFile struct {
	SourceFilename string    `json:"source_filename"`
	Commands       []command `json:"commands"`
}

// command is one wast2json command. Which fields are set depends on Type:
//
//	module                 Filename, Name (optional)
//	register               As, Name (optional; default: the last module)
//	action, assert_return  Action, Expected
//	assert_trap            Action (or Filename: instantiation must trap), Text
//	assert_exhaustion      Action, Text
//	assert_invalid, assert_malformed, assert_unlinkable,
//	assert_uninstantiable  Filename, ModuleType ("binary" or "text"), Text
type command struct {
	Type       string      `json:"type"`
	Line       int         `json:"line"`
	Filename   string      `json:"filename"`
	Name       string      `json:"name"`
	As         string      `json:"as"`
	Text       string      `json:"text"`
	ModuleType string      `json:"module_type"`
	Action     *action     `json:"action"`
	Expected   []jsonValue `json:"expected"`
}

// action is an invoke of an exported function or a get of an exported
// global. An empty Module means the last module defined.
type action struct {
	Type   string      `json:"type"` // "invoke" or "get"
	Module string      `json:"module"`
	Field  string      `json:"field"`
	Args   []jsonValue `json:"args"`
}

// jsonValue is an argument or expected result. Value is a string for
// scalar types ("42", "nan:canonical", "null") and an array of lane
// strings for v128, which this package does not support; it is kept raw
// so that a v128 value decodes without error.
type jsonValue struct {
	Type     string          `json:"type"`
	LaneType string          `json:"lane_type"`
	Value    json.RawMessage `json:"value"`
}

// text returns the value as a string, or "" with ok false when the value
// is missing or not a JSON string.
func (v jsonValue) text() (s string, ok bool) {
	if len(v.Value) == 0 {
		return "", false
	}
	if err := json.Unmarshal(v.Value, &s); err != nil {
		return "", false
	}
	return s, true
}

// readCommandFile reads and decodes one wast2json output file.
func readCommandFile(path string) (*commandFile, error) {
	b, err := input.ReadFile(path, maxSpecFile)
	if err != nil {
		return nil, err
	}
	var f commandFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &f, nil
}
