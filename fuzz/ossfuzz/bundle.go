package ossfuzz

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// BundleFile is the name of the file Bundle writes.
const BundleFile = "zz_ossfuzz_bundle_test.go"

// asideExt is appended to the test files Bundle moves aside.
const asideExt = ".ossfuzz-aside"

// tbShim replaces testing.TB in a bundle: the methods the shim's F and T
// both have, so that helpers taking a testing.TB accept either.
const tbShim = `
// fuzzTB stands for testing.TB, which go-118-fuzz-build's testing shim
// lacks: the methods its F and T both have.
type fuzzTB interface {
	Cleanup(func())
	Error(args ...any)
	Errorf(format string, args ...any)
	Fail()
	FailNow()
	Failed() bool
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Helper()
	Log(args ...any)
	Logf(format string, args ...any)
	Name() string
	Setenv(key, value string)
	Skip(args ...any)
	SkipNow()
	Skipf(format string, args ...any)
	Skipped() bool
	TempDir() string
}
`

// decl is a top-level declaration of a test file: its source text and
// the file it came from.
type decl struct {
	file  *parsedFile
	node  ast.Decl
	names []string
	recv  string // receiver type of a method
}

type parsedFile struct {
	path string
	src  []byte
	f    *ast.File
	fset *token.FileSet
}

// Bundle rewrites the test files of package directory dir (in a throwaway
// tree) so that target fn is built by go-118-fuzz-build: it writes
// BundleFile with fn and every declaration of the package's internal test
// files that fn reaches, and renames every *_test.go file of dir to
// *_test.go.ossfuzz-aside. Restore undoes both.
func Bundle(dir, fn string) error {
	paths, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return err
	}
	var files []*parsedFile
	pkgName := ""
	for _, p := range paths {
		if filepath.Base(p) == BundleFile {
			continue
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if strings.HasSuffix(f.Name.Name, "_test") {
			continue // external test package: not part of the target's package
		}
		pkgName = f.Name.Name
		files = append(files, &parsedFile{path: p, src: src, f: f, fset: fset})
	}
	byName := map[string][]*decl{} // lookups only
	methods := map[string][]*decl{}
	var root *decl
	for _, pf := range files {
		for _, d := range pf.f.Decls {
			dc := &decl{file: pf, node: d}
			switch n := d.(type) {
			case *ast.FuncDecl:
				if n.Recv != nil {
					dc.recv = recvName(n.Recv.List[0].Type)
					methods[dc.recv] = append(methods[dc.recv], dc)
					continue
				}
				dc.names = []string{n.Name.Name}
				if n.Name.Name == fn {
					root = dc
				}
			case *ast.GenDecl:
				if n.Tok == token.IMPORT {
					continue
				}
				for _, s := range n.Specs {
					switch sp := s.(type) {
					case *ast.ValueSpec:
						for _, id := range sp.Names {
							dc.names = append(dc.names, id.Name)
						}
					case *ast.TypeSpec:
						dc.names = append(dc.names, sp.Name.Name)
					}
				}
			}
			for _, nm := range dc.names {
				byName[nm] = append(byName[nm], dc)
			}
		}
	}
	if root == nil {
		return fmt.Errorf("bundle: %s: no func %s in the package's test files", dir, fn)
	}
	// Reachability: every identifier of an included declaration that names
	// a declaration of the test files includes it, and a type brings its
	// methods.
	included := map[*decl]bool{root: true}
	var order []*decl
	work := []*decl{root}
	add := func(d *decl) {
		if !included[d] {
			included[d] = true
			work = append(work, d)
		}
	}
	for len(work) > 0 {
		d := work[len(work)-1]
		work = work[:len(work)-1]
		order = append(order, d)
		ast.Inspect(d.node, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				for _, t := range byName[id.Name] {
					add(t)
				}
				for _, m := range methods[id.Name] {
					add(m)
				}
			}
			return true
		})
	}
	// Keep source order: file by file, declaration by declaration.
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].file.path != order[j].file.path {
			return order[i].file.path < order[j].file.path
		}
		return order[i].node.Pos() < order[j].node.Pos()
	})
	var body bytes.Buffer
	used := map[*parsedFile]bool{} // membership only
	// add queued each declaration once: order has no duplicates
	for _, d := range order {
		pf := d.file
		used[pf] = true
		start := d.node.Pos()
		if doc := docOf(d.node); doc != nil {
			start = doc.Pos()
		}
		if d == root {
			body.WriteString(withoutSeeding(pf, d.node.(*ast.FuncDecl), start))
		} else {
			body.Write(pf.src[pf.fset.Position(start).Offset:pf.fset.Position(d.node.End()).Offset])
		}
		body.WriteString("\n\n")
	}
	text := body.String()
	if strings.Contains(text, "testing.B") || strings.Contains(text, "testing.M)") {
		return fmt.Errorf("bundle: %s reaches a benchmark or TestMain (testing.B, testing.M): the shim has neither", fn)
	}
	usesTB := regexp.MustCompile(`\btesting\.TB\b`).MatchString(text)
	text = regexp.MustCompile(`\btesting\.TB\b`).ReplaceAllString(text, "fuzzTB")
	imports, err := usedImports(dir, files, used, text)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "// Code generated by fuzz/ossfuzz.Bundle for %s; DO NOT EDIT.\n// The package's test files are beside it with the %s suffix.\n\npackage %s\n\n", fn, asideExt, pkgName)
	if len(imports) > 0 {
		out.WriteString("import (\n")
		for _, im := range imports {
			out.WriteString("\t" + im + "\n")
		}
		out.WriteString(")\n\n")
	}
	out.WriteString(text)
	if usesTB {
		out.WriteString(tbShim)
	}
	for _, p := range paths {
		if filepath.Base(p) != BundleFile {
			if err := os.Rename(p, p+asideExt); err != nil {
				return err
			}
		}
	}
	return os.WriteFile(filepath.Join(dir, BundleFile), out.Bytes(), 0o644)
}

// Restore undoes Bundle in dir.
func Restore(dir string) error {
	aside, err := filepath.Glob(filepath.Join(dir, "*_test.go"+asideExt))
	if err != nil {
		return err
	}
	for _, p := range aside {
		if err := os.Rename(p, strings.TrimSuffix(p, asideExt)); err != nil {
			return err
		}
	}
	// The bundle, and the copy go-118-fuzz-build leaves when its build fails.
	for _, name := range []string{BundleFile, BundleFile + "_fuzz.go"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// withoutSeeding returns the source of target fd with the statements
// before its f.Fuzz call dropped unless f.Fuzz's function needs what they
// declare. Those statements make the seeds (f.Add), which the shim ignores
// but runs for every input: from files that a libFuzzer binary, run away
// from the source tree, does not have (the shim's F.Fatal does not stop
// it), and at a cost paid on every execution.
func withoutSeeding(pf *parsedFile, fd *ast.FuncDecl, start token.Pos) string {
	src := func(a, b token.Pos) string {
		return string(pf.src[pf.fset.Position(a).Offset:pf.fset.Position(b).Offset])
	}
	whole := src(start, fd.End())
	list := fd.Body.List
	fz := -1
	for i, st := range list {
		if es, ok := st.(*ast.ExprStmt); ok {
			if call, ok := es.X.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Fuzz" {
					fz = i
				}
			}
		}
	}
	if fz < 0 {
		return whole
	}
	needed := freeIdents(list[fz])
	keep := make([]bool, len(list))
	keep[fz] = true
	for i := fz - 1; i >= 0; i-- {
		for _, name := range declaredBy(list[i]) {
			if needed[name] {
				keep[i] = true
			}
		}
		if keep[i] {
			for n := range freeIdents(list[i]) {
				needed[n] = true
			}
		}
	}
	var b strings.Builder
	b.WriteString(src(start, fd.Body.Lbrace+1))
	b.WriteString("\n")
	for i := 0; i <= fz; i++ {
		if keep[i] {
			b.WriteString("\t" + src(list[i].Pos(), list[i].End()) + "\n")
		}
	}
	for _, st := range list[fz+1:] {
		b.WriteString("\t" + src(st.Pos(), st.End()) + "\n")
	}
	b.WriteString("}")
	return b.String()
}

// freeIdents returns the names a statement refers to but does not declare
// itself (function parameters, := and var inside it), so that a local of
// the fuzz function (an err of its own) does not keep a seeding statement
// that declares the same name. Shadowing is not modelled: a name declared
// anywhere inside counts as declared.
func freeIdents(n ast.Node) map[string]bool {
	uses, decls := map[string]bool{}, map[string]bool{}
	declare := func(e ast.Expr) {
		if id, ok := e.(*ast.Ident); ok {
			decls[id.Name] = true
		}
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Ident:
			uses[x.Name] = true
		case *ast.FuncType:
			for _, fl := range []*ast.FieldList{x.Params, x.Results} {
				if fl != nil {
					for _, f := range fl.List {
						for _, id := range f.Names {
							decls[id.Name] = true
						}
					}
				}
			}
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE {
				for _, l := range x.Lhs {
					declare(l)
				}
			}
		case *ast.RangeStmt:
			if x.Tok == token.DEFINE {
				declare(x.Key)
				declare(x.Value)
			}
		case *ast.ValueSpec:
			for _, id := range x.Names {
				decls[id.Name] = true
			}
		}
		return true
	})
	for d := range decls {
		delete(uses, d)
	}
	return uses
}

// declaredBy returns the names a statement declares (x := …, var x …).
func declaredBy(st ast.Stmt) []string {
	var out []string
	switch s := st.(type) {
	case *ast.AssignStmt:
		if s.Tok == token.DEFINE {
			for _, l := range s.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					out = append(out, id.Name)
				}
			}
		}
	case *ast.DeclStmt:
		if g, ok := s.Decl.(*ast.GenDecl); ok {
			for _, sp := range g.Specs {
				if vs, ok := sp.(*ast.ValueSpec); ok {
					for _, id := range vs.Names {
						out = append(out, id.Name)
					}
				}
			}
		}
	}
	return out
}

func docOf(d ast.Decl) *ast.CommentGroup {
	switch n := d.(type) {
	case *ast.FuncDecl:
		return n.Doc
	case *ast.GenDecl:
		return n.Doc
	}
	return nil
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	}
	return ""
}

// usedImports returns the import lines (with their names) of the
// included declarations' files that text uses: a package is used when
// text refers to its name. Package names come from go list, run in dir.
func usedImports(dir string, files []*parsedFile, used map[*parsedFile]bool, text string) ([]string, error) {
	type imp struct{ name, path string }
	var cands []imp
	seen := map[string]bool{}
	for _, pf := range files {
		if !used[pf] {
			continue
		}
		for _, is := range pf.f.Imports {
			path, _ := strconv.Unquote(is.Path.Value)
			name := ""
			if is.Name != nil {
				name = is.Name.Name
			}
			if k := name + " " + path; !seen[k] {
				seen[k] = true
				cands = append(cands, imp{name, path})
			}
		}
	}
	var need []string
	for _, c := range cands {
		if c.name == "" {
			need = append(need, c.path)
		}
	}
	names, err := packageNames(dir, need)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range cands {
		name := c.name
		if name == "" {
			name = names[c.path]
		}
		switch {
		case name == "_" || name == ".":
			out = append(out, c.name+" "+strconv.Quote(c.path))
		case regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\.`).MatchString(text):
			out = append(out, strings.TrimSpace(c.name+" "+strconv.Quote(c.path)))
		}
	}
	sort.Strings(out)
	return out, nil
}

// packageNames asks go list for the package name of each import path.
func packageNames(dir string, paths []string) (map[string]string, error) {
	out := map[string]string{}
	if len(paths) == 0 {
		return out, nil
	}
	cmd := exec.Command("go", append([]string{"list", "-f", "{{.ImportPath}} {{.Name}}"}, paths...)...)
	cmd.Dir = dir
	var errb bytes.Buffer
	cmd.Stderr = &errb
	b, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("bundle: go list: %v: %s", err, errb.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if p, n, ok := strings.Cut(line, " "); ok {
			out[p] = n
		}
	}
	return out, nil
}
