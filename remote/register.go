package remote

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/refereevm/referee/diff"
)

//go:embed v8/engine.js
var v8Script []byte

// Names of the engines this package adds to diff's.
const (
	ExecPrefix     = "exec:"
	V8Liftoff      = "v8-liftoff"
	V8Turbofan     = "v8-turbofan"
	wazeroInterp   = "wazero-interp@"
	wazeroCompiler = "wazero-compiler@"
)

func init() {
	diff.RegisterProvider(diff.Provider{
		Make:  makeEngine,
		All:   allEngines,
		Known: "exec:CMD, wazero-interp@VERSION, wazero-compiler@VERSION (v1.0.0 on), v8-liftoff, v8-turbofan",
	})
}

// v8Flags pin V8's tier for each engine name.
var v8Flags = map[string][]string{
	V8Liftoff:  {"--liftoff-only", "--no-wasm-tier-up"},
	V8Turbofan: {"--no-liftoff", "--no-wasm-lazy-compilation"},
}

func makeEngine(name string, _ diff.EngineConfig) (diff.Engine, bool, error) {
	if cmd, ok := strings.CutPrefix(name, ExecPrefix); ok {
		argv := strings.Fields(cmd)
		if len(argv) == 0 {
			return nil, true, fmt.Errorf("engine %q: want exec:CMD [ARG...]", name)
		}
		return NewEngine(name, argv, nil), true, nil
	}
	for _, kind := range []string{wazeroInterp, wazeroCompiler} {
		if v, ok := strings.CutPrefix(name, kind); ok {
			e, err := NewWazero(context.Background(), strings.TrimSuffix(kind, "@")[len("wazero-"):], v)
			return e, true, err
		}
	}
	if _, ok := v8Flags[name]; ok {
		e, err := NewV8(name)
		return e, true, err
	}
	return nil, false, nil
}

// NewWazero returns wazero release version's interpreter (kind "interp")
// or compiler ("compiler"), building it into the cache directory on first
// use (a line on stderr says so).
func NewWazero(ctx context.Context, kind, version string) (*Engine, error) {
	cache, err := CacheDir()
	if err != nil {
		return nil, err
	}
	bin, err := WazeroChild(ctx, cache, version, os.Stderr)
	if err != nil {
		return nil, err
	}
	return NewEngine("wazero-"+kind+"@"+version, []string{bin, kind}, nil), nil
}

// NodePath finds node, or says why V8 engines are not available.
func NodePath() (string, error) {
	p, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("node not found on PATH (V8 engines run through the machine's node)")
	}
	return p, nil
}

// NewV8 returns v8-liftoff or v8-turbofan: the engine script run by node
// with the flags that pin the tier.
func NewV8(name string) (*Engine, error) {
	node, err := NodePath()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	script, err := v8ScriptPath()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	argv := append([]string{node}, v8Flags[name]...)
	argv = append(argv, script, strings.TrimPrefix(name, "v8-"))
	return NewEngine(name, argv, nil), nil
}

// v8ScriptPath writes the embedded script into the cache directory (named
// by its hash, so an upgrade of referee never runs an old script).
func v8ScriptPath() (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(v8Script)
	p := filepath.Join(cache, "v8", "engine-"+hex.EncodeToString(sum[:6])+".js")
	if fileExists(p) {
		return p, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, v8Script, 0o644); err != nil {
		return "", err
	}
	return p, os.Rename(tmp, p)
}

// allEngines is what "all" adds: the V8 engines where node is found.
func allEngines() (names, notes []string) {
	if _, err := NodePath(); err != nil {
		return nil, []string{fmt.Sprintf("v8-liftoff, v8-turbofan skipped: %v", err)}
	}
	return []string{V8Liftoff, V8Turbofan}, nil
}
