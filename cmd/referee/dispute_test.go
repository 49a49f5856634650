package main

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestDisputeCLI(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		has  string
	}{
		{"sim honest defender", []string{"dispute", "play", "--sim", "1000", "--k", "4", "--challenger", "shifted:500"}, exitOK, "defender wins (challenger loses: proof valid): step 499"},
		{"sim honest challenger", []string{"dispute", "play", "--sim", "1000000", "--defender", "wrong-at:123456", "--challenger", "honest"}, exitOK, "challenger wins (defender loses: proof invalid)"},
		{"fac forged proof", []string{"dispute", "play", "--k", "2", "--defender", "forge", "--challenger", "honest", facWasm, "fac-iter", "i64:10"}, exitOK, "challenger wins"},
		{"fac snapshot proofs", []string{"dispute", "play", "--k", "16", "--proof", "snapshot", "--defender", "shifted:50", "--challenger", "honest", facWasm, "fac-rec", "i64:8"}, exitOK, "challenger wins (defender loses: proof invalid): step 49"},
		{"bad proof kind", []string{"dispute", "play", "--proof", "stark", facWasm, "fac-rec", "i64:8"}, exitBad, ""},
		{"no dispute", []string{"dispute", "play", "--sim", "10", "--challenger", "honest"}, exitNothing, "no dispute"},
		{"no subcommand", []string{"dispute"}, exitBad, ""},
		{"bad k", []string{"dispute", "play", "--sim", "10", "--k", "1"}, exitBad, ""},
		{"bad strategy", []string{"dispute", "play", "--sim", "10", "--defender", "sneaky"}, exitBad, ""},
		{"no execution", []string{"dispute", "play"}, exitBad, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := cli(tc.args...)
			if code != tc.code || !strings.Contains(out, tc.has) {
				t.Fatalf("exit %d, want %d; stdout %q; stderr %q", code, tc.code, out, errs)
			}
		})
	}
	code, out, _ := cli("dispute", "play", "--json", "--sim", "100", "--k", "16", "--challenger", "stall")
	var v struct {
		Result struct{ Winner, Reason string }
		Stats  struct{ Rounds uint64 }
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != exitOK || v.Result.Winner != "defender" || v.Result.Reason != "stalling" {
		t.Fatalf("exit %d, %+v %v: %s", code, v, err, out)
	}
}

// TestDisputeServe runs "dispute serve" and two "dispute play --server"
// clients in-process over loopback.
func TestDisputeServe(t *testing.T) {
	pr, pw := io.Pipe()
	var serveOut strings.Builder
	served := make(chan int, 1)
	go func() {
		served <- run([]string{"dispute", "serve", "--addr", "127.0.0.1:0", "--k", "4", "--sim", "5000"}, &serveOut, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	i := strings.Index(line, "http://")
	url := strings.Fields(line[i:])[0]
	type res struct {
		code int
		out  string
	}
	chal := make(chan res, 1)
	go func() {
		code, out, _ := cli("dispute", "play", "--server", url, "--side", "challenger", "--sim", "5000")
		chal <- res{code, out}
	}()
	code, out, errs := cli("dispute", "play", "--server", url, "--side", "defender", "--strategy", "shifted:4000", "--sim", "5000")
	if code != exitNo || !strings.Contains(out, "challenger wins") {
		t.Fatalf("defender: exit %d %q %q", code, out, errs)
	}
	if c := <-chal; c.code != exitOK || !strings.Contains(c.out, "challenger wins") {
		t.Fatalf("challenger: exit %d %q", c.code, c.out)
	}
	if c := <-served; c != exitOK || !strings.Contains(serveOut.String(), "step 3999") {
		t.Fatalf("serve: exit %d %q", c, serveOut.String())
	}
}

// TestDisputeServeNoDispute: equal claims end the game for the server and
// both clients with exit 3.
func TestDisputeServeNoDispute(t *testing.T) {
	pr, pw := io.Pipe()
	served := make(chan int, 1)
	go func() {
		served <- run([]string{"dispute", "serve", "--addr", "127.0.0.1:0", "--sim", "50"}, io.Discard, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := strings.Fields(line[strings.Index(line, "http://"):])[0]
	other := make(chan int, 1)
	go func() {
		code, _, _ := cli("dispute", "play", "--server", url, "--side", "challenger", "--sim", "50")
		other <- code
	}()
	code, out, errs := cli("dispute", "play", "--server", url, "--side", "defender", "--sim", "50")
	if code != exitNothing || !strings.Contains(out, "no dispute") {
		t.Fatalf("defender: exit %d %q %q", code, out, errs)
	}
	if c := <-other; c != exitNothing {
		t.Fatalf("challenger: exit %d", c)
	}
	if c := <-served; c != exitNothing {
		t.Fatalf("serve: exit %d", c)
	}
}
