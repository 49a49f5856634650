package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/internal/input"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// callSpec is one call as the command line or a calls file names it,
// before it is checked against the module: an export name, or an index in
// the export section, and the arguments as written.
type callSpec struct {
	name     string
	byIndex  bool
	index    int
	args     []string // TYPE:VALUE
	raw      []uint64 // raw bits (a calls file's numbers), used when args is nil
	rawGiven bool
	where    string // for errors: "--invoke 2", "calls.json: calls[3]"
}

// callsFlag collects --invoke and --export-index in the order given.
type callsFlag struct {
	list    *[]callSpec
	byIndex bool
}

func (f callsFlag) String() string { return "" }

// Set parses 'FUNC ARG...' (FUNC may be a JSON string, e.g. '"" i32:1'
// for the export named "") or, for --export-index, 'N ARG...'.
func (f callsFlag) Set(s string) error {
	where := fmt.Sprintf("--invoke %q", s)
	if f.byIndex {
		where = fmt.Sprintf("--export-index %q", s)
	}
	c := callSpec{byIndex: f.byIndex, where: where}
	rest := strings.TrimLeft(s, " \t")
	if strings.HasPrefix(rest, `"`) {
		var name string
		dec := json.NewDecoder(strings.NewReader(rest))
		if err := dec.Decode(&name); err != nil {
			return fmt.Errorf("function name: %v", err)
		}
		c.name, rest = name, rest[dec.InputOffset():]
	} else {
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return errors.New(`want 'FUNC ARG...' (write "" for the export named "")`)
		}
		c.name, rest = fields[0], strings.Join(fields[1:], " ")
	}
	c.args = strings.Fields(rest)
	if f.byIndex {
		n, err := strconv.Atoi(c.name)
		if err != nil || n < 0 {
			return fmt.Errorf("export index %q: want N >= 0", c.name)
		}
		c.index, c.name = n, ""
	}
	*f.list = append(*f.list, c)
	return nil
}

// callsFile is the calls file of referee diff (docs/cli.md).
type callsFile struct {
	Calls []struct {
		Invoke      *string           `json:"invoke"`
		Export      *string           `json:"export"` // the findings' spelling of invoke
		ExportIndex *int              `json:"exportIndex"`
		Args        []json.RawMessage `json:"args"`
	} `json:"calls"`
}

// readCallsFile reads a calls file: {"calls": [{"invoke": "f", "args":
// ["i32:1"]}, {"exportIndex": 2, "args": [7]}]}; an argument is TYPE:VALUE
// or a JSON number (the raw bits).
func readCallsFile(path string) ([]callSpec, error) {
	b, err := input.ReadFile(path, block.MaxFileSize) // JSON, bounded as a block file is
	if err != nil {
		return nil, err
	}
	var cf callsFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, jsonPosError(b, err))
	}
	var out []callSpec
	for i, c := range cf.Calls {
		where := fmt.Sprintf("%s: calls[%d]", path, i)
		cs := callSpec{where: where}
		switch {
		case c.Invoke != nil && c.Export == nil && c.ExportIndex == nil:
			cs.name = *c.Invoke
		case c.Export != nil && c.Invoke == nil && c.ExportIndex == nil:
			cs.name = *c.Export
		case c.ExportIndex != nil && c.Invoke == nil && c.Export == nil:
			if *c.ExportIndex < 0 {
				return nil, fmt.Errorf("%s.exportIndex: %d is negative", where, *c.ExportIndex)
			}
			cs.byIndex, cs.index = true, *c.ExportIndex
		default:
			return nil, fmt.Errorf("%s: want exactly one of invoke, export and exportIndex", where)
		}
		for k, a := range c.Args {
			var s string
			if json.Unmarshal(a, &s) == nil {
				cs.args = append(cs.args, s)
				continue
			}
			n, err := strconv.ParseUint(string(a), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s.args[%d]: %s: want \"TYPE:VALUE\" or the raw bits as an unsigned integer", where, k, a)
			}
			cs.raw, cs.rawGiven = append(cs.raw, n), true
		}
		if cs.rawGiven && len(cs.args) > 0 {
			return nil, fmt.Errorf("%s.args: mixes TYPE:VALUE strings and raw numbers", where)
		}
		out = append(out, cs)
	}
	return out, nil
}

// jsonPosError adds the line and column to a JSON syntax or type error.
func jsonPosError(b []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return err
	}
	line, col := 1, 1
	for _, c := range b[:min(int(off), len(b))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("%d:%d: %w", line, col, err)
}

// resolveCalls checks the calls against the module's exports and parses
// their arguments by the function's parameter types.
func resolveCalls(mod *wasm.Module, specs []callSpec) ([]diff.ModuleCall, error) {
	var out []diff.ModuleCall
	for _, c := range specs {
		name := c.name
		if c.byIndex {
			if mod == nil {
				return nil, fmt.Errorf("%s: the module does not decode: no export index", c.where)
			}
			if c.index >= len(mod.Exports) {
				return nil, fmt.Errorf("%s: export index %d: the module has %d exports", c.where, c.index, len(mod.Exports))
			}
			e := mod.Exports[c.index]
			if e.Kind != wasm.ExternFunc {
				return nil, fmt.Errorf("%s: export %d (%q) is not a function", c.where, c.index, e.Name)
			}
			name = e.Name
		}
		if mod == nil {
			if len(c.args) > 0 {
				return nil, fmt.Errorf("%s: the module does not decode: arguments cannot be typed", c.where)
			}
			out = append(out, diff.ModuleCall{Export: name, Args: c.raw})
			continue
		}
		ft, err := exportedFunc(mod, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.where, err)
		}
		if c.rawGiven {
			if len(c.raw) != len(ft.Params) {
				return nil, fmt.Errorf("%s: function %q takes %d arguments %s, got %d", c.where, name, len(ft.Params), typeList(ft.Params), len(c.raw))
			}
			out = append(out, diff.ModuleCall{Export: name, Args: c.raw})
			continue
		}
		vals := make([]trace.Value, 0, len(c.args))
		for _, s := range c.args {
			v, err := parseArg(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.where, err)
			}
			vals = append(vals, v)
		}
		if err := checkArgs(name, ft, vals); err != nil {
			return nil, fmt.Errorf("%s: %w", c.where, err)
		}
		raw := make([]uint64, len(vals))
		for i, v := range vals {
			raw[i] = v.Bits
		}
		out = append(out, diff.ModuleCall{Export: name, Args: raw})
	}
	return out, nil
}
