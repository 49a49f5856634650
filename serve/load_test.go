package serve

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// loadResult is what one load run measured.
type loadResult struct {
	requests, errors int
	wall             time.Duration
	latencies        []time.Duration // sorted
}

func (r loadResult) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(q*float64(len(r.latencies))))]
}

func (r loadResult) String() string {
	return fmt.Sprintf("%d requests (%d errors) in %v: %.0f/s, p50 %v, p99 %v (p99/p50 %.2f)",
		r.requests, r.errors, r.wall.Round(time.Millisecond), float64(r.requests)/r.wall.Seconds(),
		r.quantile(0.5).Round(10*time.Microsecond), r.quantile(0.99).Round(10*time.Microsecond),
		float64(r.quantile(0.99))/float64(max(r.quantile(0.5), 1)))
}

// runLoad posts body n times from conc clients on 127.0.0.1 and measures
// each request; it stops by itself after n requests.
func runLoad(url string, body []byte, n, conc int) loadResult {
	var mu sync.Mutex
	res := loadResult{requests: n}
	next := 0
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < conc; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if next == n {
					mu.Unlock()
					return
				}
				next++
				mu.Unlock()
				t0 := time.Now()
				a := postWith(client, url, body)
				d := time.Since(t0)
				mu.Lock()
				if a.code != http.StatusOK {
					res.errors++
				}
				res.latencies = append(res.latencies, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.wall = time.Since(start)
	slices.Sort(res.latencies)
	return res
}

func postWith(c *http.Client, url string, body []byte) answer {
	resp, err := c.Post(url, "application/json", strings.NewReader(string(body)))
	if err != nil {
		return answer{}
	}
	defer resp.Body.Close()
	var sink [32 << 10]byte
	for {
		if _, err := resp.Body.Read(sink[:]); err != nil {
			break
		}
	}
	return answer{code: resp.StatusCode}
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func peakRSS() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// heapAfterGC is the live heap after a collection.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestLoad is the bounded loopback load test: token.json on every engine
// built in, from concurrent clients on 127.0.0.1. It checks that nothing
// fails and that neither goroutines nor the live heap grow with the
// number of requests; it reports throughput and latency. By default it
// is small (seconds); REFEREE_LOAD=full runs the figures: 2,000
// requests at concurrency 32 and at concurrency = workers, and 10,000 for
// the growth check (REFEREE_LOAD=workers: 2,000 at concurrency = workers
// only).
func TestLoad(t *testing.T) {
	workers := runtime.GOMAXPROCS(0)
	n, conc, growth := 150, 8, 300
	if testing.Short() {
		n, growth = 50, 100
	}
	full := os.Getenv("REFEREE_LOAD") == "full"
	if full {
		n, conc, growth = 2000, 32, 10000
	}
	if os.Getenv("REFEREE_LOAD") == "workers" { // only the latency figure at concurrency = workers
		n, conc, growth = 2000, workers, 100
	}
	if os.Getenv("GOGC") == "" { // as referee serve runs (its --gogc default)
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	_, ts := testServer(t, Config{Workers: workers, Queue: 64})
	body := inlineBlock(t, "token.json")
	url := ts.URL + "/v1/check"
	warm := runLoad(url, body, 50, conc) // compile, connections, store file growth
	if warm.errors != 0 {
		t.Fatalf("warm-up: %d errors", warm.errors)
	}
	g0, h0 := runtime.NumGoroutine(), heapAfterGC()

	r := runLoad(url, body, n, conc)
	t.Logf("concurrency %d, %d workers: %v", conc, workers, r)
	if r.errors != 0 {
		t.Fatalf("%d of %d requests failed", r.errors, n)
	}
	if full {
		rw := runLoad(url, body, n, workers)
		t.Logf("concurrency %d = workers: %v", workers, rw)
	}
	g1, h1 := runtime.NumGoroutine(), heapAfterGC()
	rg := runLoad(url, body, growth, conc)
	if rg.errors != 0 {
		t.Fatalf("%d of %d requests failed", rg.errors, growth)
	}
	time.Sleep(100 * time.Millisecond) // let finished handlers' goroutines exit
	g2, h2 := runtime.NumGoroutine(), heapAfterGC()
	t.Logf("after %d more requests: %v", growth, rg)
	t.Logf("goroutines %d -> %d -> %d; live heap %.1f -> %.1f -> %.1f MiB; peak RSS %.1f MiB",
		g0, g1, g2, float64(h0)/(1<<20), float64(h1)/(1<<20), float64(h2)/(1<<20), float64(peakRSS())/(1<<20))
	// No growth with the number of requests: the goroutines are the
	// idle connections' and the runtime's, the heap is the engines' and the
	// caches' (bounded), whatever the count.
	if g2 > g0+conc {
		t.Errorf("goroutines grew from %d to %d over %d requests", g0, g2, n+growth)
	}
	if h2 > h1+16<<20 {
		t.Errorf("live heap grew from %.1f to %.1f MiB over %d requests", float64(h1)/(1<<20), float64(h2)/(1<<20), growth)
	}
}
