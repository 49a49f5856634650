package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/remote"
)

const engineUsage = `  referee engine build wazero@VERSION [--force] [--cache DIR]
  referee engine list [--cache DIR] [--json]
        build builds wazero release VERSION (v1.0.0 on) from the Go module
        proxy into the engine cache (default: the user cache directory's
        referee/engines, or $REFEREE_ENGINE_CACHE), where
        wazero-interp@VERSION and wazero-compiler@VERSION find it (they
        build it on first use otherwise); list shows the engines built in,
        the releases built, and whether V8 (node) is available
`

// engineCommand implements "referee engine".
func engineCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("engine", flag.ContinueOnError)
	cacheFlag := fs.String("cache", "", "the engine cache `DIR` (default $"+remote.CacheEnv+" or the user cache directory)")
	force := fs.Bool("force", false, "build: rebuild even if built")
	jsonOn := fs.Bool("json", false, "list: print JSON")
	pos, code, ok := parseFlags(fs, engineUsage, args, stdout, stderr)
	if !ok {
		return code
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "referee engine: "+format+"\n", a...)
		return exitBad
	}
	cache := *cacheFlag
	if cache == "" {
		var err error
		if cache, err = remote.CacheDir(); err != nil {
			return bad("%v", err)
		}
	}
	if len(pos) == 0 {
		return bad("want build or list (run 'referee help engine')")
	}
	switch pos[0] {
	case "build":
		if len(pos) != 2 {
			return bad("build: want one wazero@VERSION")
		}
		v, ok := strings.CutPrefix(pos[1], "wazero@")
		if !ok {
			return bad("build %q: want wazero@VERSION (only wazero releases are built)", pos[1])
		}
		if err := remote.CheckWazeroVersion(v); err != nil {
			return bad("build: %v", err)
		}
		var err error
		var bin string
		if *force {
			err = remote.BuildWazero(context.Background(), cache, v, stderr)
			bin = filepath.Join(cache, "wazero@"+v, "wazerochild")
		} else {
			bin, err = remote.WazeroChild(context.Background(), cache, v, stderr)
		}
		if err != nil {
			fmt.Fprintf(stderr, "referee engine: %v\n", err)
			return exitNo
		}
		fmt.Fprintf(stdout, "wazero %s: %s (engines wazero-interp@%s, wazero-compiler@%s)\n", v, bin, v, v)
		return exitOK
	case "list":
		if len(pos) != 1 {
			return bad("list takes no argument")
		}
		built, err := remote.Built(cache)
		if err != nil {
			return bad("%v", err)
		}
		node, nodeErr := remote.NodePath()
		nodeVersion := ""
		if nodeErr == nil {
			if out, err := exec.Command(node, "--version").Output(); err == nil {
				nodeVersion = strings.TrimSpace(string(out))
			}
		}
		if *jsonOn {
			v := map[string]any{"builtIn": diff.AllEngineNames(), "cache": cache, "wazero": built, "node": node, "nodeVersion": nodeVersion}
			if built == nil {
				v["wazero"] = []string{}
			}
			return writeJSON(stdout, v)
		}
		fmt.Fprintf(stdout, "built in: %s\n", strings.Join(diff.AllEngineNames(), ", "))
		fmt.Fprintf(stdout, "cache %s:\n", cache)
		if len(built) == 0 {
			fmt.Fprintln(stdout, "  no wazero release built (referee engine build wazero@VERSION)")
		}
		for _, v := range built {
			fmt.Fprintf(stdout, "  wazero %s: wazero-interp@%s, wazero-compiler@%s\n", v, v, v)
		}
		if nodeErr != nil {
			fmt.Fprintf(stdout, "v8: unavailable: %v\n", nodeErr)
		} else {
			fmt.Fprintf(stdout, "v8: v8-liftoff, v8-turbofan (%s %s)\n", node, nodeVersion)
		}
		fmt.Fprintln(stdout, "exec:CMD: any command speaking the engine protocol (docs/engine-protocol.md)")
		return exitOK
	}
	return bad("unknown subcommand %q: want build or list", pos[0])
}
