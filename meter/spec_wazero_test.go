package meter

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/trace/spectest"
	"github.com/refereevm/referee/wasm"
)

// TestSpecFloatsCanonicalOnWazero: on the float-heavy spec files, every
// invoke gives the same result bits on wazero's compiler running the
// instrumented module (canonicalize) as on the reference machine running
// the module as written. The reference machine returns the canonical NaN
// for every NaN result, so this checks that canonicalize leaves out no NaN
// an engine could produce with other bits, and changes no other value.
func TestSpecFloatsCanonicalOnWazero(t *testing.T) {
	files := []string{"conversions", "f32", "f32_bitwise", "f32_cmp", "f64", "f64_bitwise", "f64_cmp",
		"float_exprs", "float_literals", "float_memory", "float_misc", "local_tee", "select"}
	o := DefaultOptions()
	o.StartGas = ample
	o.MaxBlocksPerFunc, o.MaxBlocksPerModule, o.MaxBrTableTargets, o.MaxMemoryPages = 0, 0, 0, 0
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
	defer rt.Close(ctx)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(specDir, f+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Commands []specCommand `json:"commands"`
		}
		if err := json.Unmarshal(b, &file); err != nil {
			t.Fatal(err)
		}
		var ref *trace.Machine
		var refInst *trace.Instance
		var mod api.Module
		for _, c := range file.Commands {
			where := f + ".json:" + strconv.Itoa(c.Line)
			switch c.Type {
			case "module":
				ref, refInst, mod = nil, nil, nil
				bin, err := os.ReadFile(filepath.Join(specDir, c.Filename))
				if err != nil {
					t.Fatal(err)
				}
				m, err := wasm.Decode(bin)
				if err != nil || wasm.Validate(m, wasm.DefaultLimits()) != nil || len(m.Imports) > 0 {
					continue
				}
				im, err := Instrument(m, o)
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				cm, err := rt.CompileModule(ctx, wasm.Encode(im))
				if err != nil {
					t.Fatalf("%s: wazero compile: %v", where, err)
				}
				if mod, err = rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName("")); err != nil {
					t.Fatalf("%s: wazero instantiate: %v", where, err)
				}
				ref = trace.NewMachine(trace.Config{})
				if refInst, err = ref.Instantiate(m); err != nil {
					t.Fatalf("%s: reference instantiate: %v", where, err)
				}
			case "assert_return", "action":
				if mod == nil || c.Action == nil || c.Action.Type != "invoke" || c.Action.Module != "" {
					continue
				}
				args := make([]trace.Value, len(c.Action.Args))
				raw := make([]uint64, len(c.Action.Args))
				ok := true
				for i, a := range c.Action.Args {
					v, err := spectest.ParseArg(a.Type, a.LaneType, a.Value)
					ok = ok && err == nil && !v.Type.IsRef() && v.Type != wasm.V128 // one uint64 a value
					args[i], raw[i] = v, v.Bits
				}
				if !ok {
					continue
				}
				want, rerr := ref.Invoke(refInst, c.Action.Field, args)
				got, werr := mod.ExportedFunction(c.Action.Field).Call(ctx, raw...)
				var trap *trace.Trap
				if (rerr != nil) != (werr != nil) || (rerr != nil && !errors.As(rerr, &trap)) {
					t.Errorf("%s: %s: reference %v, wazero %v", where, c.Action.Field, rerr, werr)
					continue
				}
				n++
				for i := range want {
					w := want[i].Bits
					g := got[i]
					if want[i].Type == wasm.I32 || want[i].Type == wasm.F32 {
						g &= 0xffffffff
					}
					if g != w {
						t.Errorf("%s: %s%v: result %d: wazero %#x, reference %#x", where, c.Action.Field, raw, i, g, w)
					}
				}
			}
		}
	}
	t.Logf("%d invocations compared", n)
	if n < 1000 {
		t.Errorf("only %d invocations compared", n)
	}
}
