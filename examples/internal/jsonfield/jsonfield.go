// Package jsonfield says what is wrong with a value of a JSON payload in
// the payload's words, for the example programs' 400 answers: "want a
// string, got a number", not the Go type encoding/json would have filled,
// and "want an RFC 3339 date-time, got "yesterday"", which encoding/json
// says without naming the field; and a body in UTF-16 or UTF-32 by its
// encoding, which encoding/json calls an "invalid character".
package jsonfield

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Got names the JSON value of a *json.UnmarshalTypeError's Value
// ("number 1e999" is a number): "a number", "a list", …
func Got(value string) string {
	kind, _, _ := strings.Cut(value, " ")
	return Kind(map[string]reflect.Kind{"string": reflect.String, "number": reflect.Float64,
		"bool": reflect.Bool, "array": reflect.Slice, "object": reflect.Map}[kind])
}

// Kind names the JSON values that a Go value of kind k holds.
func Kind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another value"
}

// maxQuoted is how many characters of a bad value a problem quotes.
const maxQuoted = 62

// Time says what is wrong with raw, a JSON value that should be an RFC
// 3339 date-time in a string: "" when it is one, or null, or absent
// (empty raw).
func Time(raw json.RawMessage) string {
	var t time.Time
	if len(raw) == 0 || json.Unmarshal(raw, &t) == nil {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		k, ok := map[byte]reflect.Kind{'{': reflect.Map, '[': reflect.Slice, 't': reflect.Bool, 'f': reflect.Bool}[raw[0]]
		if !ok {
			k = reflect.Float64
		}
		return "want a string, got " + Kind(k)
	}
	return "want an RFC 3339 date-time, got " + Quote(s)
}

// Quote is s, a value a payload holds where another was expected, quoted
// as %q quotes it (control characters escaped) and cut to maxQuoted
// characters, so that a problem that repeats a payload's value stays one
// short line however long the value.
func Quote(s string) string {
	if r := []rune(s); len(r) > maxQuoted {
		s = string(r[:maxQuoted-1]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// WideEncoding names the encoding of a body in UTF-16 or UTF-32, which
// JSON sent over a network never is (RFC 8259, 8.1: it is UTF-8), or
// returns "": "UTF-16 (little-endian, with a byte order mark)", "UTF-32
// (big-endian)", …. With a byte order mark its bytes are no UTF-8;
// without one, most are valid UTF-8 (an ASCII character and a NUL byte),
// which encoding/json refuses only as "invalid character '\x00'". JSON
// text starts with an ASCII character, so the NUL bytes among its first
// four say which (RFC 4627, 3).
func WideEncoding(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0, 0, 0xfe, 0xff}):
		return "UTF-32 (big-endian, with a byte order mark)"
	case bytes.HasPrefix(data, []byte{0xff, 0xfe, 0, 0}):
		return "UTF-32 (little-endian, with a byte order mark)"
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return "UTF-16 (big-endian, with a byte order mark)"
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		return "UTF-16 (little-endian, with a byte order mark)"
	}
	head := data[:min(len(data), 4)]
	if bytes.IndexByte(head, 0) < 0 {
		return ""
	}
	switch {
	case len(head) == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0:
		return "UTF-32 (big-endian)"
	case len(head) == 4 && head[1] == 0 && head[2] == 0 && head[3] == 0:
		return "UTF-32 (little-endian)"
	case head[0] == 0:
		return "UTF-16 (big-endian)"
	case len(head) > 1 && head[1] == 0:
		return "UTF-16 (little-endian)"
	}
	return "" // a NUL after the first character: malformed JSON, which the decoder names
}
