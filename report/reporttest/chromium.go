// Package reporttest renders report pages in headless Chromium for tests:
// the DOM Chromium built from a page (to check what a person would see is
// there) and a screenshot (to check it was drawn). It is imported only by
// tests; it runs the chromium binary found on PATH with a fresh profile
// and no network access of its own, and never anything else.
package reporttest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Browser returns the path of a Chromium binary, or skips t with one line
// saying how to get one.
func Browser(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("headless Chromium not found (apt-get install chromium): report pages not rendered")
	return ""
}

// flags are the switches every run uses: headless, no sandbox (tests run
// as root), no GPU, and nothing that reaches the network on its own.
var flags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
	"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
}

func run(t testing.TB, browser string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	all := append(append([]string{}, flags...), "--user-data-dir="+t.TempDir())
	cmd := exec.CommandContext(ctx, browser, append(all, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.Bytes()
}

// DOM renders the HTML file at path and returns the DOM Chromium built
// from it, serialized.
func DOM(t testing.TB, browser, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(run(t, browser, "--dump-dom", "file://"+abs))
}

// Screenshot renders the HTML file at path in a window w×h pixels and
// returns the picture.
func Screenshot(t testing.TB, browser, path string, w, h int) image.Image {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "shot.png")
	run(t, browser, "--screenshot="+shot, fmt.Sprintf("--window-size=%d,%d", w, h), "file://"+abs)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return img
}

// CountColor counts the pixels of img within tol (per 8-bit channel) of
// the colour #rrggbb.
func CountColor(img image.Image, hex string, tol int) int {
	var want [3]int
	fmt.Sscanf(hex, "#%02x%02x%02x", &want[0], &want[1], &want[2])
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			got := [3]int{int(r >> 8), int(g >> 8), int(bl >> 8)}
			ok := true
			for i := range got {
				if d := got[i] - want[i]; d > tol || d < -tol {
					ok = false
				}
			}
			if ok {
				n++
			}
		}
	}
	return n
}
