package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/refereevm/referee/diff"
)

const versionUsage = `  referee version [--json]
        print referee's version, the Go release it was built with, the
        engines built in (with their library versions) and whether it was
        built with cgo (wasmtime needs cgo: a C compiler)
`

// versionInfo is what referee version prints.
type versionInfo struct {
	Version  string            `json:"version"`
	Commit   string            `json:"commit,omitempty"`
	Go       string            `json:"go"`
	Platform string            `json:"platform"`
	Engines  []string          `json:"engines"`
	Cgo      bool              `json:"cgo"`
	Modules  map[string]string `json:"modules"` // the engine libraries: module path -> version
}

// cgoEnabled is set by cgo_on.go in cgo builds.
var cgoEnabled = false

func buildVersion() versionInfo {
	v := versionInfo{Version: "(unknown)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		Engines: diff.AllEngineNames(), Cgo: cgoEnabled, Modules: map[string]string{}}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Version = bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v.Commit = s.Value
		}
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/tetratelabs/wazero" || (strings.HasPrefix(d.Path, "github.com/bytecodealliance/wasmtime-go") && cgoEnabled) {
			v.Modules[d.Path] = d.Version
		}
	}
	return v
}

// versionCommand implements "referee version".
func versionCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	jsonOn := fs.Bool("json", false, "print a JSON object")
	pos, code, ok := parseFlags(fs, versionUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		fmt.Fprintf(stderr, "referee version: no arguments expected, got %q\n", pos[0])
		return exitBad
	}
	v := buildVersion()
	if *jsonOn {
		return proveJSON(stdout, v)
	}
	fmt.Fprintf(stdout, "referee %s", v.Version)
	if v.Commit != "" {
		fmt.Fprintf(stdout, " (%s)", v.Commit)
	}
	fmt.Fprintf(stdout, "\ngo      %s %s\n", v.Go, v.Platform)
	fmt.Fprintf(stdout, "engines %s\n", strings.Join(v.Engines, ", "))
	for _, m := range []string{"github.com/tetratelabs/wazero", "github.com/bytecodealliance/wasmtime-go/v39"} {
		if ver, ok := v.Modules[m]; ok {
			fmt.Fprintf(stdout, "        %s %s\n", m, ver)
		}
	}
	if v.Cgo {
		fmt.Fprintln(stdout, "cgo     yes")
	} else {
		fmt.Fprintln(stdout, "cgo     no: wasmtime is not built in (it needs a cgo build: a C compiler)")
	}
	return exitOK
}
