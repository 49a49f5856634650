package serve

import (
	"archive/tar"
	"encoding/json"
	"net/http"
	"strconv"
)

// maxList is the most refusals one GET /v1/refusals lists.
const maxList = 1000

// handleVerdict is GET /v1/verdicts/{id}: the record as stored.
func (s *Server) handleVerdict(w http.ResponseWriter, r *http.Request) {
	s.serveRecord(w, bucketVerdicts, r.PathValue("id"), "verdict")
}

// handleRefusal is GET /v1/refusals/{id}: the refusal with its bundle.
func (s *Server) handleRefusal(w http.ResponseWriter, r *http.Request) {
	s.serveRecord(w, bucketRefusals, r.PathValue("id"), "refusal")
}

func (s *Server) serveRecord(w http.ResponseWriter, bucket []byte, id, what string) {
	data, ok := s.lookupRaw(w, bucket, id, what)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(append(data, '\n'))
}

// handleBundleTar is GET /v1/refusals/{id}/bundle.tar: the bundle as a tar
// archive of the directory referee check --bundle writes.
func (s *Server) handleBundleTar(w http.ResponseWriter, r *http.Request) {
	var v RefusalRecord
	if !s.lookup(w, bucketRefusals, r.PathValue("id"), "refusal", &v) {
		return
	}
	w.Header().Set("Content-Type", "application/x-tar")
	w.Header().Set("Content-Disposition", `attachment; filename="refusal-`+v.ID+`.tar"`)
	tw := tar.NewWriter(w)
	dir := "refusal-" + v.ID + "/"
	for _, f := range v.Bundle {
		hdr := &tar.Header{Name: dir + f.Name, Mode: 0o644, Size: int64(len(f.Data)), ModTime: v.Time, Format: tar.FormatPAX}
		if tw.WriteHeader(hdr) != nil {
			return
		}
		if _, err := tw.Write(f.Data); err != nil {
			return
		}
	}
	tw.Close()
}

// lookup reads record id of bucket into v, answering 404 or 500 itself.
func (s *Server) lookup(w http.ResponseWriter, bucket []byte, id, what string, v any) bool {
	data, ok := s.lookupRaw(w, bucket, id, what)
	if !ok {
		return false
	}
	if err := json.Unmarshal(data, v); err != nil {
		s.log.Error("BUG: unreadable record", "id", id, "error", err.Error())
		writeError(w, http.StatusInternalServerError, "store: "+err.Error())
		return false
	}
	return true
}

// lookupRaw returns the JSON of record id of bucket, answering 404 or 500
// itself when there is none.
func (s *Server) lookupRaw(w http.ResponseWriter, bucket []byte, id, what string) ([]byte, bool) {
	if _, ok := parseID(id); !ok {
		writeError(w, http.StatusNotFound, "no "+what+" "+strconv.Quote(id)+": an id is 16 hex digits")
		return nil, false
	}
	data, err := s.store.raw(bucket, id)
	switch {
	case err != nil:
		s.log.Error("store read failed", "id", id, "error", err.Error())
		writeError(w, http.StatusInternalServerError, "store: "+err.Error())
		return nil, false
	case data == nil:
		writeError(w, http.StatusNotFound, "no "+what+" "+id)
		return nil, false
	}
	return data, true
}

// refusalList is the answer of GET /v1/refusals.
type refusalList struct {
	Refusals []RefusalSummary `json:"refusals"`
	// Next, when more follow, is the after= of the next page.
	Next string `json:"next,omitempty"`
}

// handleRefusals is GET /v1/refusals[?after=ID][&limit=N].
func (s *Server) handleRefusals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 100
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxList {
			writeError(w, http.StatusBadRequest, "limit: want 1 to "+strconv.Itoa(maxList))
			return
		}
		limit = n
	}
	after := q.Get("after")
	if after != "" {
		if _, ok := parseID(after); !ok {
			writeError(w, http.StatusBadRequest, "after: an id is 16 hex digits")
			return
		}
	}
	list, more, err := s.store.refusals(after, limit)
	if err != nil {
		s.log.Error("store read failed", "error", err.Error())
		writeError(w, http.StatusInternalServerError, "store: "+err.Error())
		return
	}
	out := refusalList{Refusals: list}
	if out.Refusals == nil {
		out.Refusals = []RefusalSummary{}
	}
	if more {
		out.Next = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}
