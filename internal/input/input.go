// Package input reads the files a user names — modules, blocks, proofs,
// spec-suite commands — with a bound on their size, and refuses what is not
// a regular file (a FIFO would block the reader, a device such as
// /dev/zero would never end). Every input referee reads by path goes
// through it, so that no input can make referee block or allocate without
// bound before it has looked at a byte.
//
// It reads; it must never interpret what it reads.
package input

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ReadFile reads the regular file at path if it holds at most max
// bytes. Its errors are *os.PathError values naming path (Op "open" or
// "read"). It refuses, without blocking or reading without bound, what is
// not a regular file (a FIFO, a device such as /dev/zero, a directory):
// every input referee reads by path goes through it.
func ReadFile(path string, max int64) ([]byte, error) {
	fi, err := os.Stat(path) // before Open: opening a FIFO blocks
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: unwrapPath(err)}
	}
	if !fi.Mode().IsRegular() {
		return nil, NotRegular(path, fi.Mode())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: unwrapPath(err)}
	}
	defer f.Close()
	return ReadOpen(f, path, max)
}

// ReadOpen reads f (opened as path) after checking again that it is a
// regular file (it may have been replaced since the caller's stat), at
// most max bytes.
func ReadOpen(f *os.File, path string, max int64) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, NotRegular(path, fi.Mode())
	}
	if fi.Size() > max {
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("%d bytes, larger than the limit of %d bytes", fi.Size(), max)}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: unwrapPath(err)}
	}
	if int64(len(data)) > max {
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("larger than the limit of %d bytes", max)}
	}
	return data, nil
}

// NotRegular is the error for a path that names something other than a
// regular file.
func NotRegular(path string, m os.FileMode) error {
	return &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("not a regular file (%s)", fileKind(m))}
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// unwrapPath drops a *PathError's own path (the caller names the file).
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
