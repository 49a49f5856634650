package ossfuzz

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Target is one native Go fuzz target: func Fuzz…(f *testing.F) in a test
// file.
type Target struct {
	Dir    string   // package directory, relative to the module root, slash-separated
	File   string   // the test file that declares it, relative to the module root
	Func   string   // e.g. FuzzDecode
	Binary string   // the libFuzzer binary's name: package and function, lower case
	Params []string // the types f.Fuzz's function takes after *testing.T
}

// Targets lists the fuzz targets under root (a module root), sorted by
// directory then name. Directories named testdata or starting with "."
// are skipped, and so are nested modules (directories with a go.mod).
func Targets(root string) ([]Target, error) {
	var out []Target
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || name == "vendor") {
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		ts, err := fileTargets(root, path)
		out = append(out, ts...)
		return err
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Dir != out[j].Dir {
			return out[i].Dir < out[j].Dir
		}
		return out[i].Func < out[j].Func
	})
	return out, err
}

func fileTargets(root, path string) ([]Target, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	rel, _ := filepath.Rel(root, path)
	dir := filepath.ToSlash(filepath.Dir(rel))
	var out []Target
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil || !strings.HasPrefix(fd.Name.Name, "Fuzz") || !takesF(fd) {
			continue
		}
		pkg := strings.ReplaceAll(dir, "/", "_")
		if dir == "." {
			pkg = f.Name.Name
		}
		out = append(out, Target{Dir: dir, File: filepath.ToSlash(rel), Func: fd.Name.Name,
			Binary: strings.ToLower(pkg + "_" + strings.TrimPrefix(fd.Name.Name, "Fuzz")), Params: fuzzParams(fd)})
	}
	return out, nil
}

// takesF reports whether fd is func(f *testing.F).
func takesF(fd *ast.FuncDecl) bool {
	ps := fd.Type.Params.List
	if len(ps) != 1 || len(ps[0].Names) > 1 {
		return false
	}
	star, ok := ps[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == "testing" && sel.Sel.Name == "F"
}

// fuzzParams returns the types of the function literal passed to f.Fuzz,
// after its *testing.T.
func fuzzParams(fd *ast.FuncDecl) []string {
	var params []string
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || params != nil {
			return params == nil
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Fuzz" || len(call.Args) != 1 {
			return true
		}
		lit, ok := call.Args[0].(*ast.FuncLit)
		if !ok {
			return true
		}
		params = []string{}
		for i, field := range lit.Type.Params.List {
			n := max(len(field.Names), 1)
			for k := 0; k < n; k++ {
				if i == 0 && k == 0 {
					continue // *testing.T
				}
				params = append(params, typeString(field.Type))
			}
		}
		return false
	})
	return params
}

func typeString(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.ArrayType:
		if t.Len == nil {
			if s := typeString(t.Elt); s == "byte" || s == "uint8" {
				return "[]byte"
			}
			return "[]" + typeString(t.Elt)
		}
	case *ast.SelectorExpr:
		return typeString(t.X) + "." + t.Sel.Name
	}
	return fmt.Sprintf("%T", e)
}
