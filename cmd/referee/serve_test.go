package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeCommand runs referee serve itself: it logs where it listens,
// answers the inline example block with check's commitment, lists a
// planted refusal, and drains and exits 0 on SIGTERM; a restart on the
// same directory still lists the refusal.
func TestServeCommand(t *testing.T) {
	dir := t.TempDir()
	start := func() (url string, done chan int) {
		pr, pw := io.Pipe()
		done = make(chan int, 1)
		go func() {
			done <- run([]string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--engines", "reference,wazero-interp"}, io.Discard, pw)
			pw.Close()
		}()
		addr := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				var l struct{ Msg, Addr string }
				if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "listening" {
					addr <- l.Addr
				}
			}
			close(addr)
		}()
		select {
		case a, ok := <-addr:
			if !ok {
				t.Fatalf("serve exited: %d", <-done)
			}
			return "http://" + a, done
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not log its address")
		}
		return "", nil
	}
	stop := func(done chan int) {
		syscall.Kill(os.Getpid(), syscall.SIGTERM) // caught by serve's signal.NotifyContext
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("serve exit %d after SIGTERM", code)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop after SIGTERM")
		}
	}
	url, done := start()
	body, err := os.ReadFile(filepath.Join(blocksDir, "inline", "token.json"))
	if err != nil {
		t.Fatal(err)
	}
	post := func(q string) map[string]any {
		resp, err := http.Post(url+"/v1/check"+q, "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %v", resp.StatusCode, err)
		}
		return v
	}
	if v := post(""); v["commitment"] != "0xe819613cba3a285bea9975ec05b286306a911726ec7e689fcb28616cae994ea4" {
		t.Fatalf("commitment %v", v["commitment"])
	}
	refusal := post("?engines=reference,planted")["id"]
	stop(done)
	url, done = start()
	defer stop(done)
	resp, err := http.Get(url + "/v1/refusals")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ Refusals []struct{ ID string } }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || len(list.Refusals) != 1 || list.Refusals[0].ID != refusal {
		t.Fatalf("refusals after a restart: %+v %v, want %v", list, err, refusal)
	}
}
