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
	for _, d := range dedupe(order) {
		pf := d.file
		used[pf] = true
		start := d.node.Pos()
		if doc := docOf(d.node); doc != nil {
			start = doc.Pos()
		}
		body.Write(pf.src[pf.fset.Position(start).Offset:pf.fset.Position(d.node.End()).Offset])
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
	if err := os.Remove(filepath.Join(dir, BundleFile)); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

func dedupe(ds []*decl) []*decl {
	seen := map[*decl]bool{}
	var out []*decl
	for _, d := range ds {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
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
