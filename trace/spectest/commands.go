package spectest

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/refereevm/referee/internal/input"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// This file gives each wast2json command type its meaning on the machine
// (the table in docs/cli.md, "referee spec").

// exec runs one command.
func (r *runner) exec(c command) outcome {
	switch c.Type {
	case "module":
		return r.module(c)
	case "register":
		inst := r.instance(c.Name)
		if inst == nil {
			return failErr(fmt.Sprintf("register %q", c.As), r.noModule(c.Name))
		}
		r.m.Register(c.As, inst)
		r.log = append(r.log, logEntry{name: c.Name, as: c.As})
		return pass()
	case "action":
		if _, err := r.act(c.Action); err != nil {
			return failErr(actionName(c.Action), err)
		}
		return pass()
	case "assert_return":
		return r.assertReturn(c)
	case "assert_trap", "assert_exhaustion":
		if c.Action == nil {
			return r.assertUninstantiable(c)
		}
		return r.assertTrap(c)
	case "assert_invalid", "assert_malformed":
		return r.assertInvalid(c)
	case "assert_unlinkable":
		return r.assertUnlinkable(c)
	case "assert_uninstantiable":
		return r.assertUninstantiable(c)
	}
	return fail("unknown command type %q", c.Type)
}

// instance returns the module called name, or the last module for "".
func (r *runner) instance(name string) *trace.Instance {
	if name == "" {
		return r.last
	}
	return r.named[name]
}

// noModule explains why the module called name ("" = the last one) is
// missing.
func (r *runner) noModule(name string) error {
	what := "module " + name
	if name == "" {
		what = "the last module"
	}
	if line, ok := r.brokenAt[name]; ok {
		return fmt.Errorf("%s failed at line %d", what, line)
	}
	return fmt.Errorf("no %s", strings.TrimPrefix(what, "the "))
}

// maxSpecFile bounds a command file and a module it names: the suite's
// largest are a few MiB.
const maxSpecFile = 64 << 20

// readModule reads a module a command file names.
func (r *runner) readModule(filename string) ([]byte, error) { return readModule(r.dir, filename) }

// readModule reads a module the command file in dir names: a file beside
// it (a name that leaves the directory is refused), of at most maxSpecFile
// bytes.
func readModule(dir, filename string) ([]byte, error) {
	if !filepath.IsLocal(filepath.FromSlash(filename)) {
		return nil, fmt.Errorf("module %q: not a file beside the command file", filename)
	}
	return input.ReadFile(filepath.Join(dir, filepath.FromSlash(filename)), maxSpecFile)
}

// load reads, decodes and validates a binary module.
func (r *runner) load(filename string) (*wasm.Module, error) {
	b, err := r.readModule(filename)
	if err != nil {
		return nil, err
	}
	mod, err := wasm.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", filename, err)
	}
	if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
		return nil, fmt.Errorf("validate %s: %w", filename, err)
	}
	return mod, nil
}

func (r *runner) module(c command) outcome {
	// Until this module is in place, nothing refers to an older one.
	r.last = nil
	r.brokenAt[""] = c.Line
	if c.Name != "" {
		r.named[c.Name] = nil
		r.brokenAt[c.Name] = c.Line
	}
	if isText(c.Filename) {
		return skip()
	}
	mod, err := r.load(c.Filename)
	if err != nil {
		return failErr("module", err)
	}
	inst, err := r.m.Instantiate(mod)
	if err != nil {
		return failErr("instantiate "+c.Filename, err)
	}
	r.log = append(r.log, logEntry{mod: mod, name: c.Name})
	r.last = inst
	delete(r.brokenAt, "")
	if c.Name != "" {
		r.named[c.Name] = inst
		delete(r.brokenAt, c.Name)
	}
	return pass()
}

// act performs an invoke or get action.
func (r *runner) act(a *action) ([]trace.Value, error) {
	if a == nil {
		return nil, errors.New("command has no action")
	}
	inst := r.instance(a.Module)
	if inst == nil {
		return nil, r.noModule(a.Module)
	}
	switch a.Type {
	case "invoke":
		args := make([]trace.Value, len(a.Args))
		for i, v := range a.Args {
			var err error
			if args[i], err = parseValue(v); err != nil {
				return nil, fmt.Errorf("arg %d: %w", i, err)
			}
		}
		return r.invoke(inst, a.Field, args)
	case "get":
		ext, ok := inst.Export(a.Field)
		if !ok {
			return nil, fmt.Errorf("no export %q", a.Field)
		}
		if ext.Kind != wasm.ExternGlobal {
			return nil, fmt.Errorf("export %q is not a global", a.Field)
		}
		return []trace.Value{r.m.GlobalValue(ext)}, nil
	}
	return nil, fmt.Errorf("unknown action type %q", a.Type)
}

// invoke calls an exported function with the runner's step budget.
func (r *runner) invoke(inst *trace.Instance, field string, args []trace.Value) ([]trace.Value, error) {
	ext, ok := inst.Export(field)
	if !ok || ext.Kind != wasm.ExternFunc {
		return nil, fmt.Errorf("no exported function %q", field)
	}
	if err := r.m.Call(ext, args); err != nil {
		return nil, err
	}
	st, err := r.m.Run(r.budget)
	if err != nil {
		return nil, err
	}
	switch st {
	case trace.StatusDone:
		return r.m.Results(), nil
	case trace.StatusTrapped:
		return nil, r.m.Trap()
	}
	r.rebuild()
	return nil, fmt.Errorf("still running after %d steps (the runner's budget); machine rebuilt", r.budget)
}

// actionName renders an action for messages: invoke "f"(i32:1) or get "g".
func actionName(a *action) string {
	if a == nil {
		return "action"
	}
	var b strings.Builder
	b.WriteString(a.Type)
	if a.Module != "" {
		b.WriteString(" " + a.Module)
	}
	fmt.Fprintf(&b, " %q", a.Field)
	if a.Type == "invoke" {
		b.WriteByte('(')
		for i, v := range a.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(describe(v))
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (r *runner) assertReturn(c command) outcome {
	got, err := r.act(c.Action)
	if err != nil {
		return failErr(actionName(c.Action), err)
	}
	if len(got) != len(c.Expected) {
		return fail("%s: got %d results %s, want %d %s", actionName(c.Action), len(got), valuesString(got), len(c.Expected), expectedString(c.Expected))
	}
	for i, exp := range c.Expected {
		ok, err := matchValue(exp, got[i])
		if err != nil {
			return failErr(actionName(c.Action), err)
		}
		if !ok {
			return fail("%s: result %d: got %s, want %s", actionName(c.Action), i, got[i], describe(exp))
		}
	}
	return pass()
}

func (r *runner) assertTrap(c command) outcome {
	got, err := r.act(c.Action)
	if err == nil {
		return fail("%s: returned %s, want trap %q", actionName(c.Action), valuesString(got), c.Text)
	}
	var t *trace.Trap
	if !errors.As(err, &t) {
		return failErr(actionName(c.Action), err)
	}
	if c.Type == "assert_exhaustion" {
		if t.Kind != trace.TrapCallStackExhausted && t.Kind != trace.TrapValueStackExhausted {
			return fail("%s: trapped with %q, want stack exhaustion", actionName(c.Action), t.Kind)
		}
		return pass()
	}
	if !trapText(t.Kind, c.Text) {
		return passNote("%s: trapped with %q, script expects %q", actionName(c.Action), t.Kind, c.Text)
	}
	return pass()
}

func (r *runner) assertInvalid(c command) outcome {
	if isText(c.Filename) || c.ModuleType == "text" {
		return skip()
	}
	b, err := r.readModule(c.Filename)
	if err != nil {
		return failErr("read", err)
	}
	mod, err := wasm.Decode(b)
	if err != nil {
		return pass()
	}
	if err := wasm.Validate(mod, wasm.DefaultLimits()); err != nil {
		return pass()
	}
	return fail("%s: decoded and validated, want error %q", c.Filename, c.Text)
}

func (r *runner) assertUnlinkable(c command) outcome {
	if isText(c.Filename) {
		return skip()
	}
	mod, err := r.load(c.Filename)
	if err != nil {
		return passNote("rejected before linking: %v (script expects %q)", err, c.Text)
	}
	_, err = r.m.Instantiate(mod)
	if err == nil {
		return fail("%s: instantiated, want link error %q", c.Filename, c.Text)
	}
	var le *trace.LinkError
	if !errors.As(err, &le) {
		return passNote("%s: %v, want link error %q", c.Filename, err, c.Text)
	}
	return pass()
}

func (r *runner) assertUninstantiable(c command) outcome {
	if isText(c.Filename) {
		return skip()
	}
	mod, err := r.load(c.Filename)
	if err != nil {
		return failErr("module", err)
	}
	_, err = r.m.Instantiate(mod)
	if err == nil {
		return fail("%s: instantiated, want trap %q", c.Filename, c.Text)
	}
	var t *trace.Trap
	if !errors.As(err, &t) {
		return fail("%s: %v, want trap %q", c.Filename, err, c.Text)
	}
	if !trapText(t.Kind, c.Text) {
		return passNote("%s: trapped with %q, script expects %q", c.Filename, t.Kind, c.Text)
	}
	return pass()
}

func valuesString(vs []trace.Value) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return "[" + strings.Join(s, " ") + "]"
}

func expectedString(vs []jsonValue) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = describe(v)
	}
	return "[" + strings.Join(s, " ") + "]"
}
