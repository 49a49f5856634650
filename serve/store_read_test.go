package serve

import (
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

// Reads of the store that only the tests make.

// get reads the record id of bucket into v; ok is false if there is none.
func (s *store) get(bucket []byte, id string, v any) (ok bool, err error) {
	data, err := s.raw(bucket, id)
	if err != nil || data == nil {
		return false, err
	}
	return true, json.Unmarshal(data, v)
}

// count returns the number of records in bucket.
func (s *store) count(bucket []byte) (n int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucket).Stats().KeyN
		return nil
	})
	return n, err
}
