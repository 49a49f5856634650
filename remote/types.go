package remote

import "github.com/refereevm/referee/wasm"

// exportTypes answers the type questions a child may need answered (the
// protocol sends types along, for children whose API does not tell them):
// from the decoded module, nil when it does not decode.
type exportTypes struct{ m *wasm.Module }

func decodeTypes(bin []byte) exportTypes {
	m, err := wasm.Decode(bin)
	if err != nil {
		return exportTypes{}
	}
	return exportTypes{m}
}

// funcType returns the parameter and result type names of export name.
func (t exportTypes) funcType(name string) (params, results []string) {
	if t.m == nil {
		return nil, nil
	}
	if ft, ok := t.m.ExportedFuncType(name); ok {
		return typeNames(ft.Params), typeNames(ft.Results)
	}
	return nil, nil
}

// globalTypes returns the type names of the exported globals names.
func (t exportTypes) globalTypes(names []string) []string {
	if t.m == nil {
		return nil
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = t.globalType(n)
	}
	return out
}

func (t exportTypes) globalType(name string) string {
	if vt, ok := t.m.ExportedGlobalType(name); ok {
		return vt.String()
	}
	return ""
}
