package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// inputError is a request body the API cannot read: 400, with the path of
// the value at fault as the client wrote it ("components[1].status"), or ""
// for the body as a whole.
type inputError struct {
	field string
	msg   string
}

func (e *inputError) Error() string {
	if e.field == "" {
		return e.msg
	}
	return e.field + ": " + e.msg
}

// decodeStrict decodes the one JSON object r holds into v, a pointer to a
// struct, by its fields' json tags. It is stricter than encoding/json with
// DisallowUnknownFields and says more: keys are case-sensitive, a key
// given twice or trailing data after the object is an error, and every
// error names the value's path, indexes and map keys included
// (`components[1].status: want a string, got a number`). Null leaves a
// value at its zero. The body must be UTF-8 (RFC 8259, 8.1): encoding/json
// would replace what is not with U+FFFD, and a body in Latin-1 would be
// posted garbled. A byte order mark before the object is skipped (RFC
// 8259, 8.1: a parser "MAY ignore" it; Windows tools write one); offsets in
// errors count from after it. An *http.MaxBytesError from r is returned as
// is.
func decodeStrict(r io.Reader, v any) error {
	data, err := io.ReadAll(r) // the caller bounds r
	if err != nil {
		return readError(err, "")
	}
	data = bytes.TrimPrefix(data, []byte(bom))
	if !utf8.Valid(data) {
		return &inputError{msg: fmt.Sprintf("not valid UTF-8 at offset %d: send JSON in UTF-8", invalidAt(data))}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return &inputError{msg: "empty body: want a JSON object"}
	}
	if err != nil {
		return readError(err, "")
	}
	if tok != json.Delim('{') {
		return &inputError{msg: "want a JSON object, got " + describe(tok)}
	}
	if err := decodeObject(dec, reflect.ValueOf(v).Elem(), ""); err != nil {
		return err
	}
	if _, err := dec.Token(); errors.Is(err, io.EOF) {
		return nil
	}
	return &inputError{msg: "trailing data after the JSON object"}
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

// decodeValue decodes the next value of dec into v.
func decodeValue(dec *json.Decoder, v reflect.Value, path string) error {
	if !walked(v.Type()) {
		if err := dec.Decode(v.Addr().Interface()); err != nil {
			return valueError(err, path, v.Type())
		}
		return nil
	}
	tok, err := dec.Token()
	if err != nil {
		return readError(err, path)
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
		return &inputError{field: path, msg: fmt.Sprintf("want %s, got %s", describe(want), describe(tok))}
	case v.Kind() == reflect.Slice:
		return decodeArray(dec, v, path)
	case v.Kind() == reflect.Map:
		return decodeMap(dec, v, path)
	}
	return decodeObject(dec, v, path)
}

// decodeObject decodes the members of an object whose '{' was read into
// the struct v.
func decodeObject(dec *json.Decoder, v reflect.Value, path string) error {
	fields := jsonFields(v.Type())
	seen := map[string]bool{}
	for dec.More() {
		key, err := readKey(dec, path)
		if err != nil {
			return err
		}
		i, ok := fields[key]
		switch {
		case !ok:
			return &inputError{field: join(path, cut(key)), msg: "unknown field"}
		case seen[key]:
			return &inputError{field: join(path, key), msg: "given twice"}
		}
		seen[key] = true
		if err := decodeValue(dec, v.Field(i), join(path, key)); err != nil {
			return err
		}
	}
	return closing(dec, path)
}

// decodeMap decodes the members of an object whose '{' was read into the
// map v, whose keys are strings.
func decodeMap(dec *json.Decoder, v reflect.Value, path string) error {
	v.Set(reflect.MakeMap(v.Type()))
	for dec.More() {
		key, err := readKey(dec, path)
		if err != nil {
			return err
		}
		at := path + "[" + quote(key) + "]"
		k := reflect.ValueOf(key).Convert(v.Type().Key())
		if v.MapIndex(k).IsValid() {
			return &inputError{field: at, msg: "given twice"}
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := decodeValue(dec, elem, at); err != nil {
			return err
		}
		v.SetMapIndex(k, elem)
	}
	return closing(dec, path)
}

// decodeArray decodes the elements of an array whose '[' was read into the
// slice v.
func decodeArray(dec *json.Decoder, v reflect.Value, path string) error {
	v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	for i := 0; dec.More(); i++ {
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := decodeValue(dec, elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
		v.Set(reflect.Append(v, elem))
	}
	return closing(dec, path)
}

func readKey(dec *json.Decoder, path string) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", readError(err, path)
	}
	return tok.(string), nil // the decoder accepts nothing else as a key
}

// closing reads the '}' or ']' that ends the value at path.
func closing(dec *json.Decoder, path string) error {
	if _, err := dec.Token(); err != nil {
		return readError(err, path)
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
// malformed or cut short.
func readError(err error, path string) error {
	var syntax *json.SyntaxError
	switch {
	case isTooLarge(err):
		return err
	case errors.As(err, &syntax):
		return &inputError{field: path, msg: fmt.Sprintf("malformed JSON at offset %d: %v", syntax.Offset, err)}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &inputError{field: path, msg: "malformed JSON: the body ends inside a value"}
	}
	return &inputError{field: path, msg: "reading the body: " + err.Error()}
}

// valueError is the error of decoding a whole value of type t at path.
func valueError(err error, path string, t reflect.Type) error {
	var typeErr *json.UnmarshalTypeError
	var syntax *json.SyntaxError
	switch {
	case isTooLarge(err), errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return readError(err, path)
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

// isTooLarge reports whether err says the body is over the size limit.
func isTooLarge(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}
