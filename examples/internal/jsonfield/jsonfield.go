// Package jsonfield says what is wrong with a value of a JSON payload in
// the payload's words, for the example programs' 400 answers: "want a
// string, got a number", not the Go type encoding/json would have filled,
// and "want an RFC 3339 date-time, got "yesterday"", which encoding/json
// says without naming the field.
package jsonfield

import (
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
