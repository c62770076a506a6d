package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/outagecast/outagecast/examples/internal/jsonfield"
)

// inputError is a request body the API cannot read: 400, with the path of
// the value at fault as the client wrote it ("components[1].status"), or ""
// for the body as a whole.
type inputError struct {
	field string
	msg   string
	// more are the other values at fault in the same body, in the order
	// they come: a client mends them all in one go.
	more []*inputError
	// readWhole is set on decodeStrict's error when the body was read to
	// its end: every value it does not name was decoded, and the caller
	// may check those too (see covered), to name the body's other faults
	// in the same answer.
	readWhole bool
	// zeroed is set on a value of the wrong type or kind (or with a lone
	// surrogate): it was not read, and its zero is in its place, which a
	// check would take for what the client sent (see covered). An unknown
	// key, or one given twice, whose first value was read, leaves none.
	zeroed bool
	// ofKey is set on a fault of a map's key at field ("no channel of
	// that name"), not of its value: a value there not read leaves the
	// key as sent, so it does not cover this fault.
	ofKey bool
}

// Error says every value at fault, separated by "; ".
func (e *inputError) Error() string {
	s := e.one()
	for _, m := range e.more {
		s += "; " + m.one()
	}
	return s
}

// one says the first value at fault.
func (e *inputError) one() string {
	if e.field == "" {
		return e.msg
	}
	return e.field + ": " + e.msg
}

// all returns every value at fault, the first first; none for nil.
func (e *inputError) all() []*inputError {
	if e == nil {
		return nil
	}
	return append([]*inputError{e}, e.more...)
}

// hasField reports whether one of errs names field.
func hasField(errs []*inputError, field string) bool {
	return slices.ContainsFunc(errs, func(e *inputError) bool { return e.field == field })
}

// covered reports whether one of errs names a value not read (zeroed) at
// field, or one field is part of ("components[1]" covers
// "components[1].name"): a check of the zero left in its place says
// nothing more. A key given twice or unknown covers nothing: the value
// kept, the first, was read, and its faults are the client's to mend too.
func covered(errs []*inputError, field string) bool {
	return field != "" && slices.ContainsFunc(errs, func(e *inputError) bool {
		rest, ok := strings.CutPrefix(field, e.field)
		return e.zeroed && e.field != "" && ok && (rest == "" || rest[0] == '.' || rest[0] == '[')
	})
}

// maxInputErrors bounds the values at fault one answer names: a large
// body could hold thousands.
const maxInputErrors = 20

// joinErrors returns errs as one inputError, the first with the others
// as its more; nil for none.
func joinErrors(errs []*inputError) *inputError {
	if len(errs) == 0 {
		return nil
	}
	errs = errs[:min(len(errs), maxInputErrors)]
	first := *errs[0]
	first.more = errs[1:]
	return &first
}

// decodeStrict decodes the one JSON object r holds into v, a pointer to a
// struct, by its fields' json tags. It is stricter than encoding/json with
// DisallowUnknownFields and says more: keys are case-sensitive, a key
// given twice or trailing data after the object is an error, and every
// error names the value's path, indexes and map keys included
// (`components[1].status: want a string, got a number`), and the error
// names every such value (up to maxInputErrors), not the first alone;
// malformed JSON ends the reading and is the one error. When the body
// was read to its end despite such values, the error's readWhole is set,
// and the other values are in v. Null leaves a
// value at its zero. The body must be UTF-8 (RFC 8259, 8.1): encoding/json
// would replace what is not with U+FFFD, and a body in Latin-1 would be
// posted garbled; for the same reason an escaped UTF-16 surrogate without
// its pair ("\ud800", RFC 8259, 8.2) is an error, and a body in UTF-16
// or UTF-32 is refused saying so (see jsonfield.WideEncoding). A byte order mark
// before the object is skipped (RFC 8259, 8.1: a parser "MAY ignore" it;
// Windows tools write one); offsets in errors count from the start of r,
// the mark included. An *http.MaxBytesError from r is returned as is, and
// so is a timeout (see isTimeout).
func decodeStrict(r io.Reader, v any) error {
	data, err := io.ReadAll(r) // the caller bounds r
	if err != nil {
		return readError(err, "", 0)
	}
	skip := 0
	if bytes.HasPrefix(data, []byte(bom)) {
		skip = len(bom)
	}
	if enc := jsonfield.WideEncoding(data); enc != "" {
		return &inputError{msg: "the body looks like " + enc + ", not UTF-8: send JSON in UTF-8 (RFC 8259, 8.1)"}
	}
	if !utf8.Valid(data) {
		return &inputError{msg: fmt.Sprintf("not valid UTF-8 at offset %d: send JSON in UTF-8", invalidAt(data))}
	}
	d := &decoder{dec: json.NewDecoder(bytes.NewReader(data[skip:])), data: data[skip:], skip: int64(skip)}
	tok, err := d.dec.Token()
	if errors.Is(err, io.EOF) {
		return &inputError{msg: "empty body: want a JSON object"}
	}
	if err != nil {
		return d.readError(err, "")
	}
	if tok != json.Delim('{') {
		return &inputError{msg: "want a JSON object, got " + describe(tok)}
	}
	if err := d.decodeObject(reflect.ValueOf(v).Elem(), ""); err != nil {
		return err
	}
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		return &inputError{msg: "trailing data after the JSON object"}
	}
	if bad := joinErrors(d.errs); bad != nil {
		bad.readWhole = true
		return bad
	}
	return nil
}

// decoder reads a body's JSON.
type decoder struct {
	dec  *json.Decoder
	data []byte // what dec reads
	skip int64  // the bytes of the body before data: a byte order mark
	// errs are the values at fault so far: a value of the wrong type, an
	// unknown or repeated key is noted and passed over, so that one
	// answer names them all; malformed JSON ends the reading at once.
	errs []*inputError
}

// note notes a value at fault and returns nil, or, once there are
// maxInputErrors, all of them, which ends the reading.
func (d *decoder) note(bad *inputError) error {
	d.errs = append(d.errs, bad)
	if len(d.errs) >= maxInputErrors {
		return joinErrors(d.errs)
	}
	return nil
}

// skipValue reads the next value, of a key noted at fault, whole.
func (d *decoder) skipValue(path string) error {
	var raw json.RawMessage
	if err := d.dec.Decode(&raw); err != nil {
		return d.readError(err, path)
	}
	return nil
}

// skipRest reads the rest of an object or array whose '{' or '[' was read.
func (d *decoder) skipRest(path string) error {
	for depth := 1; depth > 0; {
		tok, err := d.dec.Token()
		if err != nil {
			return d.readError(err, path)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// readError is readError with the offsets of the body as sent.
func (d *decoder) readError(err error, path string) error { return readError(err, path, d.skip) }

// lone returns the first escaped UTF-16 surrogate without its pair in
// what dec read since offset start, or "".
func (d *decoder) lone(start int64) string {
	return loneSurrogate(d.data[start:d.dec.InputOffset()])
}

// loneSurrogate returns the first escape of a UTF-16 surrogate without its
// pair ("\ud800") in b, valid JSON that starts outside a string, or "".
// encoding/json decodes one as U+FFFD.
func loneSurrogate(b []byte) string {
	hex := func(i int) rune {
		n, _ := strconv.ParseUint(string(b[i:i+4]), 16, 32) // the decoder checked the 4 digits
		return rune(n)
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if b[i+1] == 'u' && utf16.IsSurrogate(hex(i+2)) {
			if i+12 <= len(b) && string(b[i+6:i+8]) == `\u` && utf16.DecodeRune(hex(i+2), hex(i+8)) != utf8.RuneError {
				i += 11 // a pair: one character
				continue
			}
			return string(b[i : i+6])
		}
		i++ // the escaped character: \\ escapes no u
	}
	return ""
}

// surrogateError is the error of a lone surrogate, escaped as esc, in the
// value or key at path.
func surrogateError(path, esc string) *inputError {
	return &inputError{field: path, msg: "lone UTF-16 surrogate " + esc + " (RFC 8259, 8.2): it is no character; " +
		"escape a character outside the Basic Multilingual Plane as a pair, as \\ud83d\\udd25, or send it in UTF-8"}
}

// invalidAt returns the offset of the first byte of data that is not
// valid UTF-8.
func invalidAt(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// bom is the byte order mark in UTF-8.
const bom = "\ufeff"

// walked reports whether decodeValue walks values of type t token by token
// (objects and arrays); other values are decoded whole by encoding/json.
func walked(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return false // time.Time: its own format
	}
	switch t.Kind() {
	case reflect.Struct:
		return true
	case reflect.Slice:
		return t.Elem().Kind() != reflect.Uint8 // []byte is base64 text
	case reflect.Map:
		return t.Key().Kind() == reflect.String
	}
	return false
}

// decodeValue decodes the next value into v. A value at fault is noted
// (see note); the error is one that ends the reading.
func (d *decoder) decodeValue(v reflect.Value, path string) error {
	if !walked(v.Type()) {
		start := d.dec.InputOffset()
		if err := d.dec.Decode(v.Addr().Interface()); err != nil {
			var syntax *json.SyntaxError
			if isTooLarge(err) || isTimeout(err) || errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
				return d.readError(err, path)
			}
			bad := d.valueError(err, path, v.Type()) // the value was read whole
			bad.zeroed = true
			return d.note(bad)
		}
		if esc := d.lone(start); esc != "" {
			bad := surrogateError(path, esc)
			bad.zeroed = true
			return d.note(bad)
		}
		return nil
	}
	tok, err := d.dec.Token()
	if err != nil {
		return d.readError(err, path)
	}
	want := json.Delim('{')
	if v.Kind() == reflect.Slice {
		want = '['
	}
	switch {
	case tok == nil:
		v.SetZero()
		return nil
	case tok != want:
		bad := &inputError{field: path, msg: fmt.Sprintf("want %s, got %s", describe(want), describe(tok)), zeroed: true}
		if _, ok := tok.(json.Delim); ok {
			if err := d.skipRest(path); err != nil {
				return err
			}
		}
		return d.note(bad)
	case v.Kind() == reflect.Slice:
		return d.decodeArray(v, path)
	case v.Kind() == reflect.Map:
		return d.decodeMap(v, path)
	}
	return d.decodeObject(v, path)
}

// decodeObject decodes the members of an object whose '{' was read into
// the struct v.
func (d *decoder) decodeObject(v reflect.Value, path string) error {
	fields := jsonFields(v.Type())
	seen := map[string]bool{}
	for d.dec.More() {
		key, bad, err := d.readKey(path, func(key string) string { return join(path, cut(key)) })
		if err != nil {
			return err
		}
		i, ok := fields[key]
		switch {
		case bad != nil:
		case !ok:
			bad = &inputError{field: join(path, cut(key)), msg: "unknown field"}
		case seen[key]:
			bad = &inputError{field: join(path, key), msg: "given twice"}
		}
		if bad != nil {
			if err := d.note(bad); err != nil {
				return err
			}
			if err := d.skipValue(bad.field); err != nil {
				return err
			}
			continue
		}
		seen[key] = true
		if err := d.decodeValue(v.Field(i), join(path, key)); err != nil {
			return err
		}
	}
	return d.closing(path)
}

// decodeMap decodes the members of an object whose '{' was read into the
// map v, whose keys are strings.
func (d *decoder) decodeMap(v reflect.Value, path string) error {
	v.Set(reflect.MakeMap(v.Type()))
	at := func(key string) string { return path + "[" + quote(key) + "]" }
	for d.dec.More() {
		key, bad, err := d.readKey(path, at)
		if err != nil {
			return err
		}
		at := at(key)
		k := reflect.ValueOf(key).Convert(v.Type().Key())
		if bad == nil && v.MapIndex(k).IsValid() {
			bad = &inputError{field: at, msg: "given twice"}
		}
		if bad != nil {
			if err := d.note(bad); err != nil {
				return err
			}
			if err := d.skipValue(at); err != nil {
				return err
			}
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := d.decodeValue(elem, at); err != nil {
			return err
		}
		v.SetMapIndex(k, elem)
	}
	return d.closing(path)
}

// decodeArray decodes the elements of an array whose '[' was read into the
// slice v.
func (d *decoder) decodeArray(v reflect.Value, path string) error {
	v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	for i := 0; d.dec.More(); i++ {
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := d.decodeValue(elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
		v.Set(reflect.Append(v, elem))
	}
	return d.closing(path)
}

// readKey reads the key of the next member of the object at path; field
// names the member for an error. bad is set when the key is at fault;
// err ends the reading.
func (d *decoder) readKey(path string, field func(key string) string) (key string, bad *inputError, err error) {
	start := d.dec.InputOffset()
	tok, err := d.dec.Token()
	if err != nil {
		return "", nil, d.readError(err, path)
	}
	key = tok.(string) // the decoder accepts nothing else as a key
	if esc := d.lone(start); esc != "" {
		return key, surrogateError(field(key), esc), nil
	}
	return key, nil, nil
}

// closing reads the '}' or ']' that ends the value at path.
func (d *decoder) closing(path string) error {
	if _, err := d.dec.Token(); err != nil {
		return d.readError(err, path)
	}
	return nil
}

// jsonFields maps the JSON names of t's fields to their indexes, as
// encoding/json names them (the tag's name, else the Go name).
func jsonFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = i
	}
	return fields
}

// readError is an error of the decoder at path: the body too large,
// malformed or cut short. skip is the bytes of the body before what the
// decoder read, which its offsets do not count.
func readError(err error, path string, skip int64) error {
	var syntax *json.SyntaxError
	switch {
	case isTooLarge(err), isTimeout(err):
		return err
	case errors.As(err, &syntax):
		return &inputError{field: path, msg: fmt.Sprintf("malformed JSON at offset %d: %v", skip+syntax.Offset, err)}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &inputError{field: path, msg: "malformed JSON: the body ends inside a value"}
	}
	return &inputError{field: path, msg: "reading the body: " + err.Error()}
}

// valueError is the error of decoding a whole value of type t at path,
// read well-formed.
func (d *decoder) valueError(err error, path string, t reflect.Type) *inputError {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return &inputError{field: path, msg: fmt.Sprintf("want %s, got %s", wantOf(t), article(typeErr.Value))}
	}
	// A value of the right JSON type the Go type refuses: a time in
	// another format.
	return &inputError{field: path, msg: "want " + wantOf(t)}
}

// wantOf says in words what a value of type t looks like in JSON.
func wantOf(t reflect.Type) string {
	if t == reflect.TypeFor[time.Time]() {
		return `a time as RFC 3339 text, as "2026-05-01T12:00:00Z"`
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a " + t.Kind().String()
}

// describe says in words what a token starts.
func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// article puts "a" or "an" before encoding/json's name of a JSON type.
func article(kind string) string {
	switch kind {
	case "array", "object":
		return "an " + kind
	case "string", "number", "bool":
		return "a " + strings.Replace(kind, "bool", "boolean", 1)
	}
	return kind
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// maxQuoted bounds the part of a client's key quoted in a message.
const maxQuoted = 64

// quote quotes s for a message, cut to maxQuoted bytes.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(strings.TrimSuffix(cut(s), "…")) + "…"
}

// cut cuts s to maxQuoted bytes on a character boundary, marking the cut.
func cut(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// isTimeout reports whether err says the body did not arrive in time: the
// connection's read deadline (http.Server.ReadTimeout) passed.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isTooLarge reports whether err says the body is over the size limit.
func isTooLarge(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}
