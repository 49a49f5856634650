package remote

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed wazerochild/main.go
var wazeroChildSource []byte

// CacheEnv names the environment variable that overrides the engine cache
// directory.
const CacheEnv = "REFEREE_ENGINE_CACHE"

// CacheDir is where engines built by referee are kept: $REFEREE_ENGINE_CACHE,
// else the user cache directory's referee/engines.
func CacheDir() (string, error) {
	if d := os.Getenv(CacheEnv); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("engine cache: %w (set %s)", err, CacheEnv)
	}
	return filepath.Join(d, "referee", "engines"), nil
}

var semver = regexp.MustCompile(`^v(\d+)\.(\d+)\.(\d+)$`)

// CheckWazeroVersion accepts a wazero release from v1.0.0 on.
func CheckWazeroVersion(v string) error {
	m := semver.FindStringSubmatch(v)
	if m == nil {
		return fmt.Errorf("wazero version %q: want a release vX.Y.Z", v)
	}
	if major, _ := strconv.Atoi(m[1]); major < 1 {
		return fmt.Errorf("wazero version %s: want v1.0.0 or later", v)
	}
	return nil
}

// wazeroDir is the cache directory of one built wazero release.
func wazeroDir(cache, version string) string { return filepath.Join(cache, "wazero@"+version) }

const wazeroBinary = "wazerochild"

// sourceStamp is the file of a build that names the child source it was
// built from: a build from another referee's source is rebuilt.
const sourceStamp = "source.sha256"

func sourceHash() string {
	sum := sha256.Sum256(wazeroChildSource)
	return hex.EncodeToString(sum[:])
}

// upToDate reports whether the build in dir exists and is of this source.
func upToDate(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, sourceStamp))
	return err == nil && strings.TrimSpace(string(b)) == sourceHash() && fileExists(filepath.Join(dir, wazeroBinary))
}

// BuildTimeout bounds one build of a wazero release.
const BuildTimeout = 10 * time.Minute

var buildMu sync.Mutex // one build at a time in this process

// WazeroChild returns the path of the wazero child built against version
// in the cache directory, building it first if it is not there (log, if
// not nil, gets one line when a build starts and one when it ends).
func WazeroChild(ctx context.Context, cache, version string, log io.Writer) (string, error) {
	if err := CheckWazeroVersion(version); err != nil {
		return "", err
	}
	bin := filepath.Join(wazeroDir(cache, version), wazeroBinary)
	if upToDate(wazeroDir(cache, version)) {
		return bin, nil
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	if upToDate(wazeroDir(cache, version)) {
		return bin, nil
	}
	return bin, BuildWazero(ctx, cache, version, log)
}

// BuildWazero builds the wazero child against wazero version (from the Go
// module proxy, or the module cache) into the cache directory, replacing
// a previous build. The build happens in a temporary directory renamed
// into place, so a crash never leaves a half-built engine.
func BuildWazero(ctx context.Context, cache, version string, log io.Writer) error {
	if err := CheckWazeroVersion(version); err != nil {
		return err
	}
	goTool, err := goCommand()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(cache, ".build-wazero@"+version+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	gomod := fmt.Sprintf("module referee-wazero-child\n\ngo 1.21\n\nrequire github.com/tetratelabs/wazero %s\n", version)
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte(gomod), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "main.go"), wazeroChildSource, 0o644); err != nil {
		return err
	}
	if log != nil {
		fmt.Fprintf(log, "building wazero %s engine in %s (first use; needs the Go module proxy unless the module cache has it)\n", version, wazeroDir(cache, version))
	}
	start := time.Now()
	bctx, cancel := context.WithTimeout(ctx, BuildTimeout)
	defer cancel()
	cmd := exec.CommandContext(bctx, goTool, "build", "-mod=mod", "-trimpath", "-o", wazeroBinary, ".")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		return fmt.Errorf("build wazero %s: %v: %s", version, err, msg)
	}
	if err := os.WriteFile(filepath.Join(tmp, sourceStamp), []byte(sourceHash()+"\n"), 0o644); err != nil {
		return err
	}
	dst := wazeroDir(cache, version)
	os.RemoveAll(dst)
	if err := os.Rename(tmp, dst); err != nil {
		if upToDate(dst) {
			return nil // another process built it at the same time
		}
		return err
	}
	if log != nil {
		fmt.Fprintf(log, "built wazero %s in %s\n", version, time.Since(start).Round(time.Second))
	}
	return nil
}

// goCommand finds the go tool: on PATH, else in this binary's GOROOT.
func goCommand() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p, nil
	}
	return "", errors.New("building a wazero release needs the go tool, not found on PATH")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Built lists the wazero releases built in the cache directory from this
// referee's child source, oldest version first.
func Built(cache string) ([]string, error) {
	ents, err := os.ReadDir(cache)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		v, ok := strings.CutPrefix(e.Name(), "wazero@")
		if ok && e.IsDir() && upToDate(filepath.Join(cache, e.Name())) {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return versionLess(out[i], out[j]) })
	return out, nil
}

func versionLess(a, b string) bool {
	pa, pb := semver.FindStringSubmatch(a), semver.FindStringSubmatch(b)
	if pa == nil || pb == nil {
		return a < b
	}
	for i := 1; i <= 3; i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return false
}
