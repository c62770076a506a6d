package jsonfield

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTime(t *testing.T) {
	long := strings.Repeat("x", 100)
	for raw, want := range map[string]string{
		``:                       "",
		`null`:                   "",
		`"2026-12-02T10:00:00Z"`: "",
		`"yesterday"`:            `want an RFC 3339 date-time, got "yesterday"`,
		`"` + long + `"`:         `want an RFC 3339 date-time, got "` + long[:61] + `…"`,
		`1700000000`:             "want a string, got a number",
		`true`:                   "want a string, got true or false",
		`[]`:                     "want a string, got a list",
		`{}`:                     "want a string, got an object",
	} {
		assert.Equal(t, want, Time(json.RawMessage(raw)), raw)
	}
}

func TestGot(t *testing.T) {
	var v struct{ N string }
	err := json.Unmarshal([]byte(`{"N": 1e999}`), &v)
	var te *json.UnmarshalTypeError
	if assert.ErrorAs(t, err, &te) {
		assert.Equal(t, "a number", Got(te.Value))
	}
	assert.Equal(t, "a list", Got("array"))
	assert.Equal(t, "another value", Got("?"))
}

func TestQuote(t *testing.T) {
	long := strings.Repeat("é", 100)
	assert.Equal(t, `"pending"`, Quote("pending"))
	assert.Equal(t, `"resolved\r"`, Quote("resolved\r"))
	assert.Equal(t, `"`+long[:2*61]+`…"`, Quote(long), "cut to 62 characters, as Time quotes a bad time")
}

func TestWideEncoding(t *testing.T) {
	for body, want := range map[string]string{
		`{"a": 1}`:                      "",
		"\xEF\xBB\xBF{}":                "", // a UTF-8 byte order mark: UTF-8
		"":                              "",
		"{":                             "",
		`{"a":` + "\x00":                "", // a NUL after the first character: malformed UTF-8 JSON
		"\xFF\xFE{\x00}\x00":            "UTF-16 (little-endian, with a byte order mark)",
		"\xFE\xFF\x00{\x00}":            "UTF-16 (big-endian, with a byte order mark)",
		"\xFF\xFE\x00\x00{\x00\x00\x00": "UTF-32 (little-endian, with a byte order mark)",
		"\x00\x00\xFE\xFF\x00\x00\x00{": "UTF-32 (big-endian, with a byte order mark)",
		"{\x00}\x00":                    "UTF-16 (little-endian)",
		"\x00{\x00}":                    "UTF-16 (big-endian)",
		"{\x00":                         "UTF-16 (little-endian)",
		"{\x00\x00\x00}\x00\x00\x00":    "UTF-32 (little-endian)",
		"\x00\x00\x00{\x00\x00\x00}":    "UTF-32 (big-endian)",
	} {
		assert.Equal(t, want, WideEncoding([]byte(body)), "%q", body)
	}
}
