package spectest

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// Script is a command file read for Walk.
type Script struct {
	path string
	file *commandFile
}

// ReadScript reads the wast2json command file at path.
func ReadScript(path string) (*Script, error) {
	f, err := readCommandFile(path)
	if err != nil {
		return nil, err
	}
	return &Script{path: path, file: f}, nil
}

// Invocation is an invoke action that Walk has started on its machine.
type Invocation struct {
	Line    int    // the command's line in the .wast source
	Command string // "assert_return", "assert_trap" or "action"
	N       int    // 1 for the first invocation Walk started in the file, 2 for the next, …
}

// Walk runs the script on m for the tests that follow the suite step by
// step (proofs, the on-chain verifier), not to judge it (RunFile does
// that): it instantiates every binary module that decodes, validates and
// instantiates, registers instances as told, and starts every invoke
// action it can resolve (instance, exported function, arguments the
// machine takes; the rest are passed over). visit gets each started call
// and may step m; Walk then runs the call to its end, at most budget more
// steps.
//
// It returns one line per invocation ("line L: status results trap"), for
// comparing a replaying walk with the recording one. A call still running
// after budget steps abandons the rest of the file: Walk returns the lines
// so far and the call's line as abandonedAt (0 when the file ran to its
// end).
func (s *Script) Walk(m *trace.Machine, budget uint64, visit func(Invocation)) (outcomes []string, abandonedAt int, err error) {
	dir := filepath.Dir(s.path)
	named := map[string]*trace.Instance{} // only looked up
	var cur *trace.Instance
	n := 0
	for _, c := range s.file.Commands {
		switch c.Type {
		case "module":
			cur = nil
			if c.ModuleType == "text" || !strings.HasSuffix(c.Filename, ".wasm") {
				continue
			}
			b, err := readModule(dir, c.Filename)
			if err != nil {
				return outcomes, 0, err
			}
			mod, err := wasm.Decode(b)
			if err != nil || wasm.Validate(mod, wasm.DefaultLimits()) != nil {
				continue
			}
			if inst, err := m.Instantiate(mod); err == nil {
				cur = inst
				if c.Name != "" {
					named[c.Name] = inst
				}
			}
		case "register":
			inst := cur
			if c.Name != "" {
				inst = named[c.Name]
			}
			if inst != nil {
				m.Register(c.As, inst)
			}
		case "assert_return", "assert_trap", "action":
			a := c.Action
			if a == nil || a.Type != "invoke" {
				continue
			}
			inst := cur
			if a.Module != "" {
				inst = named[a.Module]
			}
			if inst == nil {
				continue
			}
			ex, ok := inst.Export(a.Field)
			if !ok || ex.Kind != wasm.ExternFunc {
				continue
			}
			args, err := parseArgs(a.Args)
			if err != nil {
				continue
			}
			if err := m.Call(ex, args); err != nil {
				continue
			}
			n++
			visit(Invocation{Line: c.Line, Command: c.Type, N: n})
			if m.Status() == trace.StatusRunning {
				if _, err := m.Run(budget); err != nil {
					return outcomes, 0, fmt.Errorf("%s line %d: %w", s.path, c.Line, err)
				}
				if m.Status() == trace.StatusRunning {
					return outcomes, c.Line, nil
				}
			}
			outcomes = append(outcomes, fmt.Sprintf("line %d: %s %v %s", c.Line, m.Status(), m.Results(), m.TrapKind()))
		}
	}
	return outcomes, 0, nil
}

// ParseArg converts an argument in its wast2json form (the "type",
// "lane_type" and "value" of an action's args) to a machine value, as
// RunFile reads it.
func ParseArg(typ, laneType string, value json.RawMessage) (trace.Value, error) {
	return parseValue(jsonValue{Type: typ, LaneType: laneType, Value: value})
}

func parseArgs(vs []jsonValue) ([]trace.Value, error) {
	args := make([]trace.Value, 0, len(vs))
	for _, v := range vs {
		x, err := parseValue(v)
		if err != nil {
			return nil, err
		}
		args = append(args, x)
	}
	return args, nil
}
