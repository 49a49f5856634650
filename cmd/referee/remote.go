package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/refereevm/referee"
	"github.com/refereevm/referee/block"
)

// remoteCheck is referee check --server URL: the block (its code inlined)
// checked by a running referee serve, printed as a local check prints it.
type remoteCheck struct {
	server, token string
	path          string
	b             *block.Block
	engines       []string
	json          bool
	bundle, post  string
	out           *bufio.Writer
	stderr        io.Writer
	client        *http.Client
}

func (c *remoteCheck) bad(format string, a ...any) int {
	c.out.Flush()
	fmt.Fprintf(c.stderr, "referee check: "+format+"\n", a...)
	return exitBad
}

func (c *remoteCheck) request(method, path string, body []byte) (*http.Response, error) {
	req, err := http.NewRequest(method, strings.TrimSuffix(c.server, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.client.Do(req)
}

// serverError reads the one-line reason of an error answer.
func serverError(resp *http.Response) string {
	var e struct{ Error string }
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if json.Unmarshal(b, &e) != nil || e.Error == "" {
		return fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		return fmt.Sprintf("%s (%s; retry after %s s)", e.Error, resp.Status, ra)
	}
	return fmt.Sprintf("%s (%s)", e.Error, resp.Status)
}

func (c *remoteCheck) run() int {
	q := url.Values{"stream": {"1"}}
	if len(c.engines) > 0 {
		q.Set("engines", strings.Join(c.engines, ","))
	}
	resp, err := c.request("POST", "/v1/check?"+q.Encode(), c.b.JSON())
	if err != nil {
		return c.bad("--server: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return c.bad("%s: %s", c.path, serverError(resp))
	}
	dec := json.NewDecoder(resp.Body)
	for {
		var line struct {
			Type    string
			Engines []string
			Tx      int
			Receipt json.RawMessage
			Status  int
			Error   string
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return c.bad("--server: the answer ended before the verdict: %v", err)
		}
		if err := json.Unmarshal(raw, &line); err != nil {
			return c.bad("--server: unreadable answer line: %v", err)
		}
		switch line.Type {
		case "start":
			if !c.json {
				fmt.Fprintf(c.out, "block %s: %d transactions, engines %s\n", c.path, len(c.b.Txs), strings.Join(line.Engines, ","))
				c.out.Flush()
			}
		case "receipt":
			var r block.Receipt
			if err := json.Unmarshal(line.Receipt, &r); err != nil || line.Tx < 0 || line.Tx >= len(c.b.Txs) {
				return c.bad("--server: unreadable receipt line: %v", err)
			}
			if !c.json {
				fmt.Fprintf(c.out, "%s: %s\n", txLabel(c.b, line.Tx), r)
				c.out.Flush()
			}
		case "error":
			return c.bad("%s: %s (%d)", c.path, line.Error, line.Status)
		case "verdict":
			return c.verdict(raw)
		default:
			return c.bad("--server: unknown answer line type %q", line.Type)
		}
	}
}

// verdict prints the verdict line and writes the post-state or the bundle.
func (c *remoteCheck) verdict(raw json.RawMessage) int {
	var d struct {
		ID string
		referee.Document
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return c.bad("--server: unreadable verdict: %v", err)
	}
	rep, err := d.Document.Report()
	if err != nil {
		return c.bad("--server: verdict: %v", err)
	}
	v := &referee.Verdict{Block: c.b, Report: rep, Engines: c.engines}
	if c.json {
		d.Document.Block = c.path
		writeJSON(c.out, d.Document)
	} else {
		writeCheckResult(c.out, c.b, rep)
		fmt.Fprintf(c.out, "recorded as %s\n", d.ID)
	}
	if v.Agree() {
		if c.post != "" {
			if err := os.WriteFile(c.post, v.PostState().JSON(), 0o644); err != nil {
				return c.bad("--post-state: %v", err)
			}
			if !c.json {
				fmt.Fprintf(c.out, "post-state written to %s\n", c.post)
			}
		}
		return exitOK
	}
	if c.bundle != "" {
		if err := c.fetchBundle(d.ID); err != nil {
			c.out.Flush()
			fmt.Fprintf(c.stderr, "referee check: bundle: %v\n", err)
		} else if !c.json {
			fmt.Fprintf(c.out, "bundle written to %s\n", c.bundle)
		}
	}
	return exitNo
}

// fetchBundle writes the stored refusal's bundle under c.bundle.
func (c *remoteCheck) fetchBundle(id string) error {
	resp, err := c.request("GET", "/v1/refusals/"+id, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", serverError(resp))
	}
	var r struct {
		Bundle []struct {
			Name string
			Data []byte
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err
	}
	for _, f := range r.Bundle {
		if !filepath.IsLocal(f.Name) {
			return fmt.Errorf("the server named a bundle file %q outside the bundle", f.Name)
		}
		p := filepath.Join(c.bundle, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// remoteTimeout bounds one remote check (the server has its own deadline).
const remoteTimeout = 10 * time.Minute
