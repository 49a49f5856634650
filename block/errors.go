package block

import (
	"errors"
	"fmt"
)

// ErrFormat is the class of every error Load and Parse return: the block file
// is malformed, names a missing module, or breaks a limit. The CLI maps it to
// exit code 2.
var ErrFormat = errors.New("invalid block")

// FormatError locates a problem in a block file: the file, the JSON field
// path (e.g. "txs[2].input") and, for syntax errors, the line and column.
type FormatError struct {
	File  string // the block file as given to Load, or "block" for Parse
	Field string // JSON path of the offending field; "" for syntax errors
	Line  int    // 1-based; 0 when unknown
	Col   int    // 1-based byte column; 0 when unknown
	Err   error
}

// Error formats the problem on one line, e.g.
// "blocks/a.json: txs[2].input: invalid hex digit 'g' at char 5" or
// "blocks/a.json:4:17: invalid character '}' looking for beginning of value".
func (e *FormatError) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %v", pos, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", pos, e.Err)
}

// Unwrap returns the cause.
func (e *FormatError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrFormat) true for every FormatError.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }
