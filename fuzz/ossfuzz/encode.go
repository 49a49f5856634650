package ossfuzz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"strconv"
	"strings"
)

// Value is one argument of a fuzz target: its Go type name ("[]byte",
// "uint32", "uint64", "int", …) and its value ([]byte, uint64 for unsigned
// integers, int64 for signed ones, bool, float64, string).
type Value struct {
	Type string
	V    any
}

// corpusHeader starts every file of the "go test fuzz v1" format.
const corpusHeader = "go test fuzz v1\n"

// IsCorpusFile reports whether b is in the "go test fuzz v1" format (a
// committed seed, or a go test -fuzz failure file).
func IsCorpusFile(b []byte) bool { return bytes.HasPrefix(b, []byte(corpusHeader)) }

// ParseCorpusFile reads a "go test fuzz v1" file: one Go expression per
// line, type(literal), as testing's fuzzing engine writes them.
func ParseCorpusFile(b []byte) ([]Value, error) {
	if !IsCorpusFile(b) {
		return nil, errors.New("not a go test fuzz v1 file")
	}
	var out []Value
	for i, line := range strings.Split(string(b[len(corpusHeader):]), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		v, err := parseValue(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+2, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func parseValue(line string) (Value, error) {
	e, err := parser.ParseExpr(line)
	if err != nil {
		return Value{}, fmt.Errorf("%q: %w", line, err)
	}
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return Value{}, fmt.Errorf("%q: want type(literal)", line)
	}
	var typ string
	switch f := call.Fun.(type) {
	case *ast.Ident:
		typ = f.Name
	case *ast.ArrayType:
		if id, ok := f.Elt.(*ast.Ident); ok && f.Len == nil && (id.Name == "byte" || id.Name == "uint8") {
			typ = "[]byte"
		}
	}
	arg := call.Args[0]
	neg := false
	if u, ok := arg.(*ast.UnaryExpr); ok && u.Op == token.SUB {
		neg, arg = true, u.X
	}
	if id, ok := arg.(*ast.Ident); ok && typ == "bool" && (id.Name == "true" || id.Name == "false") {
		return Value{typ, id.Name == "true"}, nil
	}
	lit, ok := arg.(*ast.BasicLit)
	if !ok {
		return Value{}, fmt.Errorf("%q: want a literal argument", line)
	}
	s := lit.Value
	if neg {
		s = "-" + s
	}
	switch typ {
	case "[]byte", "string":
		u, err := strconv.Unquote(lit.Value)
		if err != nil {
			return Value{}, fmt.Errorf("%q: %w", line, err)
		}
		if typ == "[]byte" {
			return Value{typ, []byte(u)}, nil
		}
		return Value{typ, u}, nil
	case "bool":
		b, err := strconv.ParseBool(lit.Value)
		return Value{typ, b}, err
	case "byte", "uint8", "uint16", "uint32", "uint64", "uint":
		if lit.Kind == token.CHAR {
			r, _, _, err := strconv.UnquoteChar(strings.Trim(lit.Value, "'"), '\'')
			return Value{typ, uint64(r)}, err
		}
		v, err := strconv.ParseUint(s, 0, 64)
		return Value{typ, v}, err
	case "int8", "int16", "int32", "int64", "int", "rune":
		if lit.Kind == token.CHAR {
			r, _, _, err := strconv.UnquoteChar(strings.Trim(lit.Value, "'"), '\'')
			return Value{typ, int64(r)}, err
		}
		v, err := strconv.ParseInt(s, 0, 64)
		return Value{typ, v}, err
	case "float32", "float64":
		v, err := strconv.ParseFloat(s, 64)
		return Value{typ, v}, err
	}
	return Value{}, fmt.Errorf("%q: unsupported type", line)
}

// Encode turns arguments into the libFuzzer input go-118-fuzz-build's
// shim decodes back into them (see the package doc). A []byte that is not
// the last argument, or is empty, cannot always be expressed: Encode
// fails then.
func Encode(args []Value) ([]byte, error) {
	var out []byte
	for i, a := range args {
		switch a.Type {
		case "[]byte":
			b, _ := a.V.([]byte)
			if len(b) == 0 {
				return nil, fmt.Errorf("argument %d: an empty []byte has no encoding", i)
			}
			out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
			out = append(out, b...)
		case "uint32", "int32":
			out = binary.BigEndian.AppendUint32(out, uint32(asUint(a.V)))
		case "uint64", "int64", "int", "uint":
			out = binary.BigEndian.AppendUint64(out, asUint(a.V))
			out = append(out, 1) // odd: big-endian
		case "byte", "uint8", "int8", "bool":
			if b, ok := a.V.(bool); ok {
				out = append(out, map[bool]byte{true: 0, false: 1}[b]) // even is true
			} else {
				out = append(out, byte(asUint(a.V)))
			}
		default:
			return nil, fmt.Errorf("argument %d: type %s not supported", i, a.Type)
		}
	}
	// A []byte takes its length modulo the bytes left unless it is all of
	// them: check that each one decodes to itself.
	types := make([]string, len(args))
	for i, a := range args {
		types[i] = a.Type
	}
	back, err := Decode(out, types)
	if err != nil {
		return nil, err
	}
	for i := range args {
		if a, ok := args[i].V.([]byte); ok && !bytes.Equal(a, back[i].V.([]byte)) {
			return nil, fmt.Errorf("argument %d: a []byte of %d bytes does not round-trip here", i, len(a))
		}
	}
	return out, nil
}

func asUint(v any) uint64 {
	switch x := v.(type) {
	case uint64:
		return x
	case int64:
		return uint64(x)
	case int:
		return uint64(x)
	case uint32:
		return uint64(x)
	case float64:
		return math.Float64bits(x)
	}
	return 0
}

// Decode reads the arguments of types from a libFuzzer input as the shim
// does. It fails where the shim would skip the input (too few bytes).
func Decode(data []byte, types []string) ([]Value, error) {
	pos := uint32(0)
	total := uint32(len(data))
	take := func(n uint32) ([]byte, error) {
		if pos >= total || total-pos < n {
			return nil, errors.New("not enough bytes")
		}
		b := data[pos : pos+n]
		pos += n
		return b, nil
	}
	var out []Value
	for i, t := range types {
		switch t {
		case "[]byte":
			lb, err := take(4)
			if err != nil {
				return nil, fmt.Errorf("argument %d (%s): %w", i, t, err)
			}
			n := binary.BigEndian.Uint32(lb)
			if n == 0 {
				n = 30
			}
			left := total - pos
			if left == 0 {
				return nil, fmt.Errorf("argument %d (%s): no bytes left", i, t)
			}
			if n != left {
				n %= left
			}
			b := data[pos : pos+n]
			pos += n
			out = append(out, Value{t, append([]byte(nil), b...)})
		case "uint32", "int32":
			b, err := take(4)
			if err != nil {
				return nil, fmt.Errorf("argument %d (%s): %w", i, t, err)
			}
			out = append(out, Value{t, uint64(binary.BigEndian.Uint32(b))})
		case "uint64", "int64", "int", "uint":
			b, err := take(9)
			if err != nil {
				return nil, fmt.Errorf("argument %d (%s): %w", i, t, err)
			}
			v := binary.BigEndian.Uint64(b[:8])
			if b[8]%2 == 0 {
				v = binary.LittleEndian.Uint64(b[:8])
			}
			out = append(out, Value{t, v})
		case "byte", "uint8", "int8":
			b, err := take(1)
			if err != nil {
				return nil, fmt.Errorf("argument %d (%s): %w", i, t, err)
			}
			out = append(out, Value{t, uint64(b[0])})
		case "bool":
			b, err := take(1)
			if err != nil {
				return nil, fmt.Errorf("argument %d (%s): %w", i, t, err)
			}
			out = append(out, Value{t, b[0]%2 == 0})
		default:
			return nil, fmt.Errorf("argument %d: type %s not supported", i, t)
		}
	}
	return out, nil
}
