package block

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/refereevm/referee/internal/input"
)

// Version is the only block format version this package reads and writes.
const Version = 1

// Limits of the block format (docs/block-format.md, "Limits"). They bound the
// work and memory a hostile block file can cost before any contract runs.
const (
	MaxFileSize     = 64 << 20 // bytes of block JSON Load reads
	MaxCodeSize     = 4 << 20  // bytes of one contract's Wasm binary
	MaxContracts    = 1 << 12  // contracts in the pre-state
	MaxEntries      = 1 << 16  // storage entries of one contract in the pre-state
	MaxTxs          = 1 << 16  // transactions in a block
	MaxInputSize    = 1 << 16  // bytes of one transaction's input
	MaxGasLimit     = 1 << 48  // a tx gas limit; fits the meter's signed i64 counter with room to spare
	MaxEntryNameLen = 256      // bytes of an entry function's export name
)

// AddressSize is the length of a contract address in bytes.
const AddressSize = 20

// Block is a parsed, checked block: a pre-state and the transactions to apply
// to it in order.
type Block struct {
	Version int
	Comment string // free text for people; not committed
	Pre     PreState
	Txs     []Tx
}

// PreState is the state before the first transaction.
type PreState struct {
	// Contracts sorted by address, addresses unique.
	Contracts []Contract
}

// Contract is one deployed contract: its code and its storage.
type Contract struct {
	// Address in canonical form: "0x" and 40 lower-case hex digits.
	Address string
	Comment string // free text for people; not committed
	// Code is the raw, uninstrumented Wasm binary.
	Code []byte
	// CodeFile is the path the block gave for the code, as written (relative
	// to the block file), or "" for inline code. Informational: not part of
	// any commitment, and JSON always inlines the code.
	CodeFile string
	// Storage sorted by key, keys unique, every value non-empty (an empty
	// value means absent).
	Storage []Entry
}

// Entry is one storage slot.
type Entry struct {
	Key   []byte
	Value []byte
}

// Tx is one transaction: call the exported function Entry of the contract at
// address Contract with Input available through the ABI, within GasLimit.
type Tx struct {
	Comment  string // free text for people; not committed
	Contract string // canonical address, present in the pre-state
	Entry    string // exported function of type [] -> []
	Input    []byte
	GasLimit uint64
}

// Contract returns the pre-state contract at addr (canonical form).
func (p *PreState) Contract(addr string) (*Contract, bool) {
	i := sort.Search(len(p.Contracts), func(i int) bool { return p.Contracts[i].Address >= addr })
	if i < len(p.Contracts) && p.Contracts[i].Address == addr {
		return &p.Contracts[i], true
	}
	return nil, false
}

// Code returns the Wasm binary of the contract at addr, or nil if there is
// none.
func (p *PreState) Code(addr string) []byte {
	if c, ok := p.Contract(addr); ok {
		return c.Code
	}
	return nil
}

// Load reads and parses the block file at path. Code paths in the block are
// relative to the block file's directory and must stay inside it (LoadWith
// lifts that). Every error is a *FormatError naming path and the field (or
// line and column) at fault, and matches ErrFormat.
func Load(path string) (*Block, error) { return LoadWith(path, LoadOptions{}) }

// LoadOptions configures LoadWith.
type LoadOptions struct {
	// AllowOutside lets code paths leave the block file's directory (with
	// "..", or through a symbolic link); they are still relative to it.
	// Off, such a path is ErrOutside: a block from elsewhere must not make
	// a validator read its other files. On, the caller vouches for every
	// file the block can name: a regular file that blocks its reader
	// (/proc/kmsg) would block Load.
	AllowOutside bool
}

// ErrOutside: a code path of the block leaves the block file's directory.
var ErrOutside = errors.New("outside the block file's directory")

// LoadWith is Load with options.
func LoadWith(path string, o LoadOptions) (*Block, error) {
	data, err := input.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, &FormatError{File: path, Err: unwrapPath(err)} // the FormatError names path
	}
	return parse(path, data, codeDir{dir: filepath.Dir(path), outside: o.AllowOutside})
}

// Parse parses a block from data; code paths are relative to baseDir and
// must stay inside it, as for Load. Errors name the file as "block".
func Parse(data []byte, baseDir string) (*Block, error) {
	return parse("block", data, codeDir{dir: baseDir})
}

// codeDir is where a block's code paths are resolved.
type codeDir struct {
	dir        string
	outside    bool // paths may leave dir
	inlineOnly bool // no code path at all (ParseInline): code must be inline
}

// read reads the code file rel (slash-separated, relative to d.dir).
func (d codeDir) read(rel string) ([]byte, error) {
	path := filepath.Join(d.dir, filepath.FromSlash(rel))
	if d.outside {
		return input.ReadFile(path, MaxCodeSize)
	}
	// os.Root resolves rel inside dir, symbolic links included, and
	// refuses any path that would leave it.
	root, err := os.OpenRoot(d.dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	local := filepath.FromSlash(rel)
	if !filepath.IsLocal(local) {
		return nil, fmt.Errorf("%q: %w %s", rel, ErrOutside, d.dir)
	}
	fi, err := root.Stat(local)
	if err != nil {
		if strings.Contains(err.Error(), "escapes") {
			return nil, fmt.Errorf("%q: %w %s (a symbolic link leads out)", rel, ErrOutside, d.dir)
		}
		return nil, fmt.Errorf("open %s: %w", path, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, input.NotRegular(path, fi.Mode())
	}
	f, err := root.Open(local)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	return input.ReadOpen(f, path, MaxCodeSize)
}

// unwrapPath drops a *PathError's own path (the caller names the file).
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ParseInline parses a block whose code is inline (codeBase64) only: a
// contract that names a file ("code") is refused, so a service parsing a
// request never reads a path the request chose. Errors name the input as
// name (e.g. "request body").
func ParseInline(name string, data []byte) (*Block, error) {
	return parse(name, data, codeDir{inlineOnly: true})
}

// The JSON shapes. Pointers mark required fields so that a missing field is
// told apart from a zero one.
type jsonBlock struct {
	Version *int     `json:"version"`
	Comment string   `json:"comment,omitempty"`
	Pre     *jsonPre `json:"pre"`
	Txs     []jsonTx `json:"txs"`
}

type jsonPre struct {
	Contracts []jsonContract `json:"contracts"`
}

type jsonContract struct {
	Address    *string         `json:"address"`
	Comment    string          `json:"comment,omitempty"`
	Code       *string         `json:"code,omitempty"`
	CodeBase64 *string         `json:"codeBase64,omitempty"`
	Storage    json.RawMessage `json:"storage,omitempty"`
}

type jsonTx struct {
	Comment  string  `json:"comment,omitempty"`
	Contract *string `json:"contract"`
	Entry    *string `json:"entry"`
	Input    *string `json:"input,omitempty"`
	GasLimit *uint64 `json:"gasLimit"`
}

func parse(file string, data []byte, baseDir codeDir) (*Block, error) {
	fieldErr := func(field string, format string, args ...any) error {
		return &FormatError{File: file, Field: field, Err: fmt.Errorf(format, args...)}
	}
	var jb jsonBlock
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&jb); err != nil {
		return nil, jsonError(file, data, dec, err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		for end < int64(len(data)) && strings.IndexByte(" \t\r\n", data[end]) >= 0 {
			end++
		}
		line, col := lineCol(data, end)
		return nil, &FormatError{File: file, Line: line, Col: col, Err: errors.New("data after the block object")}
	}
	if jb.Version == nil {
		return nil, fieldErr("version", "missing")
	}
	if *jb.Version != Version {
		return nil, fieldErr("version", "unsupported version %d (this build reads %d)", *jb.Version, Version)
	}
	if jb.Pre == nil {
		return nil, fieldErr("pre", "missing")
	}
	b := &Block{Version: Version, Comment: jb.Comment}
	if len(jb.Pre.Contracts) > MaxContracts {
		return nil, fieldErr("pre.contracts", "%d contracts, limit %d", len(jb.Pre.Contracts), MaxContracts)
	}
	for i, jc := range jb.Pre.Contracts {
		c, err := parseContract(jc, baseDir)
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) {
				return nil, &FormatError{File: file, Field: fmt.Sprintf("pre.contracts[%d].%s", i, fe.Field), Err: fe.Err}
			}
			return nil, fieldErr(fmt.Sprintf("pre.contracts[%d]", i), "%w", err)
		}
		b.Pre.Contracts = append(b.Pre.Contracts, c)
	}
	sort.SliceStable(b.Pre.Contracts, func(i, j int) bool { return b.Pre.Contracts[i].Address < b.Pre.Contracts[j].Address })
	for i := 1; i < len(b.Pre.Contracts); i++ {
		if b.Pre.Contracts[i].Address == b.Pre.Contracts[i-1].Address {
			return nil, fieldErr("pre.contracts", "address %s appears twice", b.Pre.Contracts[i].Address)
		}
	}
	if jb.Txs == nil {
		return nil, fieldErr("txs", "missing")
	}
	if len(jb.Txs) > MaxTxs {
		return nil, fieldErr("txs", "%d transactions, limit %d", len(jb.Txs), MaxTxs)
	}
	for i, jt := range jb.Txs {
		tx, field, err := parseTx(jt, &b.Pre)
		if err != nil {
			return nil, fieldErr(fmt.Sprintf("txs[%d].%s", i, field), "%w", err)
		}
		b.Txs = append(b.Txs, tx)
	}
	return b, nil
}

func parseContract(jc jsonContract, baseDir codeDir) (Contract, error) {
	var c Contract
	fail := func(field string, err error) (Contract, error) {
		return Contract{}, &FormatError{Field: field, Err: err}
	}
	if jc.Address == nil {
		return fail("address", errors.New("missing"))
	}
	addr, err := ParseAddress(*jc.Address)
	if err != nil {
		return fail("address", err)
	}
	c.Address, c.Comment = addr, jc.Comment
	switch {
	case jc.Code != nil && jc.CodeBase64 != nil:
		return fail("code", errors.New("both code and codeBase64 given; give one"))
	case jc.Code != nil && baseDir.inlineOnly:
		return fail("code", errors.New("a file path is not accepted here; give the code inline as codeBase64"))
	case jc.Code != nil:
		if *jc.Code == "" {
			return fail("code", errors.New("empty path"))
		}
		if filepath.IsAbs(*jc.Code) || strings.HasPrefix(*jc.Code, "/") {
			return fail("code", fmt.Errorf("absolute path %s: paths are relative to the block file", quoteShort(*jc.Code)))
		}
		code, err := baseDir.read(*jc.Code)
		if err != nil {
			return fail("code", err)
		}
		c.Code, c.CodeFile = code, *jc.Code
	case jc.CodeBase64 != nil:
		code, err := base64.StdEncoding.Strict().DecodeString(*jc.CodeBase64)
		if err != nil {
			return fail("codeBase64", err)
		}
		if len(code) > MaxCodeSize {
			return fail("codeBase64", fmt.Errorf("%d bytes of code, limit %d", len(code), MaxCodeSize))
		}
		c.Code = code
	default:
		return fail("code", errors.New("missing (give code, a path, or codeBase64)"))
	}
	st, field, err := parseStorage(jc.Storage)
	if err != nil {
		return fail("storage"+field, err)
	}
	c.Storage = st
	return c, nil
}

// parseStorage reads a JSON object of hex key to hex value by tokens, so that
// a duplicate key is an error rather than silently overwritten. The returned
// field suffix names the offending key, e.g. `["0x01"]`.
func parseStorage(raw json.RawMessage) ([]Entry, string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, "", nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, "", errors.New("want an object of hex key to hex value")
	}
	var st []Entry
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, "", err
		}
		ks, _ := t.(string)
		field := fmt.Sprintf("[%q]", ks)
		key, err := ParseHex(ks)
		if err != nil {
			return nil, field, fmt.Errorf("key: %w", err)
		}
		if len(key) > MaxKeySize {
			return nil, field, fmt.Errorf("key of %d bytes, limit %d", len(key), MaxKeySize)
		}
		t, err = dec.Token()
		if err != nil {
			return nil, field, err
		}
		vs, ok := t.(string)
		if !ok {
			return nil, field, errors.New("value is not a hex string")
		}
		val, err := ParseHex(vs)
		if err != nil {
			return nil, field, fmt.Errorf("value: %w", err)
		}
		if len(val) == 0 {
			return nil, field, errors.New("empty value (an absent key is simply left out)")
		}
		if len(val) > MaxValueSize {
			return nil, field, fmt.Errorf("value of %d bytes, limit %d", len(val), MaxValueSize)
		}
		if seen[string(key)] {
			return nil, field, errors.New("key appears twice")
		}
		seen[string(key)] = true
		if len(st) == MaxEntries {
			return nil, "", fmt.Errorf("more than %d entries", MaxEntries)
		}
		st = append(st, Entry{Key: key, Value: val})
	}
	sortEntries(st)
	return st, "", nil
}

func sortEntries(st []Entry) {
	sort.Slice(st, func(i, j int) bool { return bytes.Compare(st[i].Key, st[j].Key) < 0 })
}

func parseTx(jt jsonTx, pre *PreState) (Tx, string, error) {
	tx := Tx{Comment: jt.Comment}
	if jt.Contract == nil {
		return tx, "contract", errors.New("missing")
	}
	addr, err := ParseAddress(*jt.Contract)
	if err != nil {
		return tx, "contract", err
	}
	if _, ok := pre.Contract(addr); !ok {
		return tx, "contract", fmt.Errorf("no contract %s in the pre-state", addr)
	}
	tx.Contract = addr
	if jt.Entry == nil || *jt.Entry == "" {
		return tx, "entry", errors.New("missing")
	}
	if len(*jt.Entry) > MaxEntryNameLen {
		return tx, "entry", fmt.Errorf("name of %d bytes, limit %d", len(*jt.Entry), MaxEntryNameLen)
	}
	tx.Entry = *jt.Entry
	if jt.Input != nil {
		in, err := ParseHex(*jt.Input)
		if err != nil {
			return tx, "input", err
		}
		if len(in) > MaxInputSize {
			return tx, "input", fmt.Errorf("%d bytes, limit %d", len(in), MaxInputSize)
		}
		tx.Input = in
	}
	if jt.GasLimit == nil {
		return tx, "gasLimit", errors.New("missing")
	}
	if *jt.GasLimit > MaxGasLimit {
		return tx, "gasLimit", fmt.Errorf("%d exceeds the limit %d", *jt.GasLimit, uint64(MaxGasLimit))
	}
	tx.GasLimit = *jt.GasLimit
	return tx, "", nil
}

// ParseAddress parses "0x" and 40 hex digits (either case) and returns the
// canonical lower-case form.
func ParseAddress(s string) (string, error) {
	b, err := ParseHex(s)
	if err != nil {
		return "", err
	}
	if len(b) != AddressSize {
		return "", fmt.Errorf("address of %d bytes, want %d", len(b), AddressSize)
	}
	return FormatHex(b), nil
}

// ParseHex parses "0x" followed by an even number of hex digits (either
// case); "0x" alone is the empty byte string.
func ParseHex(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") {
		return nil, fmt.Errorf("hex string %s does not start with 0x", quoteShort(s))
	}
	h := s[2:]
	if len(h)%2 != 0 {
		return nil, fmt.Errorf("odd number of hex digits (%d)", len(h))
	}
	out := make([]byte, len(h)/2)
	for i := 0; i < len(h); i++ {
		v, ok := hexVal(h[i])
		if !ok {
			return nil, fmt.Errorf("invalid hex digit %q at char %d", h[i], i+2)
		}
		out[i/2] |= v << (4 * (1 - i%2))
	}
	return out, nil
}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// FormatHex returns "0x" and the lower-case hex digits of b.
func FormatHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2+2*len(b))
	out[0], out[1] = '0', 'x'
	for i, c := range b {
		out[2+2*i], out[3+2*i] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

func quoteShort(s string) string {
	if len(s) > 16 {
		s = s[:16] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// jsonError turns a decoding error into a FormatError with a line and column
// when the decoder knows the offset.
func jsonError(file string, data []byte, dec *json.Decoder, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, syn.Offset-1) // Offset counts the offending byte
		return &FormatError{File: file, Line: line, Col: col, Err: err}
	case errors.As(err, &typ):
		line, col := lineCol(data, typ.Offset)
		field := typ.Field
		if p, ok := pathAt(data, typ.Offset); ok {
			field = p // with array indices: txs[3].gasLimit, not txs.gasLimit
		}
		return &FormatError{File: file, Field: field, Line: line, Col: col,
			Err: fmt.Errorf("want %s, found JSON %s", typ.Type, typ.Value)}
	case errors.Is(err, io.EOF):
		return &FormatError{File: file, Err: errors.New("empty file, want a block object")}
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := lineCol(data, int64(len(data)))
		return &FormatError{File: file, Line: line, Col: col, Err: errors.New("unexpected end of JSON")}
	}
	off := dec.InputOffset()
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		// Point at the field's name, the last occurrence before where the
		// decoder stopped.
		if i := bytes.LastIndex(data[:off], []byte(name)); i >= 0 {
			off = int64(i)
		}
		err = fmt.Errorf("unknown field %s", name)
	}
	line, col := lineCol(data, off)
	return &FormatError{File: file, Line: line, Col: col, Err: err}
}

// pathAt returns the JSON path (e.g. "txs[3].gasLimit") of the value that
// ends at byte offset off of data, which is where json.UnmarshalTypeError
// points; ok is false if no value ends there.
func pathAt(data []byte, off int64) (string, bool) {
	type level struct {
		array bool
		index int
		key   string
	}
	var stack []level
	path := func() string {
		var b strings.Builder
		for i, l := range stack {
			switch {
			case l.array:
				fmt.Fprintf(&b, "[%d]", l.index)
			case i > 0:
				b.WriteString("." + l.key)
			default:
				b.WriteString(l.key)
			}
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	expectKey := false
	for dec.InputOffset() < off {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		// a value (scalar, or a closed container) completes one element
		done := func() {
			if n := len(stack); n > 0 {
				if stack[n-1].array {
					stack[n-1].index++
				} else {
					expectKey = true
				}
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			if (t == '{' || t == '[') && dec.InputOffset() >= off {
				return path(), true // the error is about this container
			}
			switch t {
			case '{':
				stack = append(stack, level{})
				expectKey = true
			case '[':
				stack = append(stack, level{array: true})
			case '}', ']':
				stack = stack[:len(stack)-1]
				if dec.InputOffset() >= off {
					break
				}
				done()
			}
		default:
			if n := len(stack); n > 0 && !stack[n-1].array && expectKey {
				stack[n-1].key, expectKey = fmt.Sprint(t), false
				continue
			}
			if dec.InputOffset() >= off {
				return path(), true
			}
			done()
		}
	}
	if len(stack) == 0 {
		return "", false
	}
	return path(), true
}

// lineCol converts a 0-based byte offset into a 1-based line and byte column.
func lineCol(data []byte, off int64) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	prefix := data[:off]
	line = 1 + bytes.Count(prefix, []byte{'\n'})
	col = int(off) - bytes.LastIndexByte(prefix, '\n')
	return line, col
}
