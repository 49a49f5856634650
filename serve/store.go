package serve

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The store: one bbolt file, DIR/referee.db, with two buckets keyed by the
// verdict's id (a big-endian sequence number, so keys sort in arrival
// order). Every verdict is a record in "verdicts"; a refusal also has one
// in "refusals", with its replay bundle, written in the same transaction.
// A transaction is committed (fsync'd) before the answer it records is
// sent, and bbolt commits are atomic: after a crash a record is either
// whole or absent (docs/RATIONALE.md, "Why bbolt for the verdict store?").
var (
	bucketVerdicts = []byte("verdicts")
	bucketRefusals = []byte("refusals")
)

// storeFile is the database's name under the data directory.
const storeFile = "referee.db"

// maxBatch is the most records one commit takes.
const maxBatch = 128

// VerdictRecord is a stored verdict.
type VerdictRecord struct {
	ID        string          `json:"id"`
	Time      time.Time       `json:"time"`      // when it was recorded (for people; never part of a verdict)
	BlockHash string          `json:"blockHash"` // keccak256 of the block's canonical JSON (block.Block.JSON)
	Refused   bool            `json:"refused"`
	Document  json.RawMessage `json:"verdict"` // the referee.Document, as answered
}

// RefusalRecord is a stored refusal: the verdict and its replay bundle.
type RefusalRecord struct {
	ID        string          `json:"id"`
	Time      time.Time       `json:"time"`
	BlockHash string          `json:"blockHash"`
	Tx        int             `json:"tx"`
	Class     string          `json:"class"`
	Signature string          `json:"signature"`
	Engines   []string        `json:"engines"` // as named for the check: what a replay names
	Document  json.RawMessage `json:"verdict"`
	Bundle    []BundleFile    `json:"bundle"`
}

// BundleFile is one file of a replay bundle; Data is base64 in JSON.
type BundleFile struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// RefusalSummary is a refusal as GET /v1/refusals lists it.
type RefusalSummary struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	BlockHash string    `json:"blockHash"`
	Tx        int       `json:"tx"`
	Class     string    `json:"class"`
	Signature string    `json:"signature"`
	Engines   []string  `json:"engines"`
}

// store is the embedded database and its group-committing writer.
type store struct {
	db     *bolt.DB
	writes chan *pendingWrite
	done   chan struct{}
	// onCommit, if set, observes each commit's records and duration.
	onCommit func(records int, d time.Duration)

	closeOnce sync.Once
}

type pendingWrite struct {
	verdict *VerdictRecord
	refusal *RefusalRecord // nil for an agreement
	err     chan error     // the commit's result; the id is set in verdict before
}

// errStoreClosed is the error of a write after close.
var errStoreClosed = errors.New("store closed")

// openStore opens (creating) the store under dir.
func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	db, err := bolt.Open(filepath.Join(dir, storeFile), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Join(dir, storeFile), err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketVerdicts, bucketRefusals} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", filepath.Join(dir, storeFile), err)
	}
	s := &store{db: db, writes: make(chan *pendingWrite), done: make(chan struct{})}
	go s.writer()
	return s, nil
}

// put records a verdict (and its refusal) and returns once it is
// committed to disk, with the verdict's id set.
func (s *store) put(v *VerdictRecord, r *RefusalRecord) error {
	p := &pendingWrite{verdict: v, refusal: r, err: make(chan error, 1)}
	select {
	case s.writes <- p:
	case <-s.done:
		return errStoreClosed
	}
	return <-p.err
}

// writer commits pending writes: it takes one, then every other one
// already waiting (up to maxBatch), and commits them in one transaction,
// so that under load one fsync serves many verdicts and an idle service
// adds no delay.
func (s *store) writer() {
	for {
		var batch []*pendingWrite
		select {
		case p := <-s.writes:
			batch = append(batch, p)
		case <-s.done:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case p := <-s.writes:
				batch = append(batch, p)
			default:
				break more
			}
		}
		start := time.Now()
		err := s.db.Update(func(tx *bolt.Tx) error {
			vb, rb := tx.Bucket(bucketVerdicts), tx.Bucket(bucketRefusals)
			for _, p := range batch {
				seq, err := vb.NextSequence()
				if err != nil {
					return err
				}
				id := recordID(seq)
				p.verdict.ID = id
				if err := putJSON(vb, id, p.verdict); err != nil {
					return err
				}
				if p.refusal != nil {
					p.refusal.ID = id
					if err := putJSON(rb, id, p.refusal); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if s.onCommit != nil && err == nil {
			s.onCommit(len(batch), time.Since(start))
		}
		for _, p := range batch {
			p.err <- err
		}
	}
}

// recordID is the text form of a record's sequence number: 16 hex digits,
// so ids sort as the records arrived.
func recordID(seq uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return hex.EncodeToString(b[:])
}

// parseID checks an id from a request and returns its key.
func parseID(id string) ([]byte, bool) {
	b, err := hex.DecodeString(id)
	if err != nil || len(b) != 8 {
		return nil, false
	}
	return []byte(id), true
}

func putJSON(b *bolt.Bucket, id string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(id), data)
}

// raw returns a copy of the JSON of record id of bucket, nil if there is
// none.
func (s *store) raw(bucket []byte, id string) (data []byte, err error) {
	key, valid := parseID(id)
	if !valid {
		return nil, nil
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucket).Get(key); v != nil {
			data = append([]byte(nil), v...) // bbolt's bytes live only as long as the transaction
		}
		return nil
	})
	return data, err
}

// refusals lists up to limit refusals with ids after after ("" = from the
// first), in id order, and says whether more follow.
func (s *store) refusals(after string, limit int) (out []RefusalSummary, more bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRefusals).Cursor()
		k, v := c.First()
		if after != "" {
			k, v = c.Seek([]byte(after))
			if k != nil && string(k) == after {
				k, v = c.Next()
			}
		}
		for ; k != nil; k, v = c.Next() {
			if len(out) == limit {
				more = true
				return nil
			}
			var r RefusalSummary
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("refusal %s: %w", k, err)
			}
			out = append(out, r)
		}
		return nil
	})
	return out, more, err
}

// close stops the writer (after the writes in progress) and closes the
// database.
func (s *store) close() error {
	err := errStoreClosed
	s.closeOnce.Do(func() {
		close(s.done)
		err = s.db.Close()
	})
	return err
}
