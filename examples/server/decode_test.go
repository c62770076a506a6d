package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// utf16LE is s, ASCII, in UTF-16 little-endian, without a byte order mark.
func utf16LE(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		b.WriteByte(c)
		b.WriteByte(0)
	}
	return b.String()
}

func TestDecodeStrictReadsAnUpdate(t *testing.T) {
	var u broadcast.Update
	err := decodeStrict(strings.NewReader(`{"id": "u-1", "title": "CDN errors", "status": "investigating",
		"impact": "major", "body": "Some requests fail.", "components": [{"name": "CDN", "status": "partial_outage"}],
		"url": "https://status.example.com/i/1", "time": "2026-05-01T12:00:00Z", "next_update": null,
		"overrides": {"x": "Short text"}, "advice": "Retry.", "incident_id": "cdn"}`+" \n\t"), &u)
	require.NoError(t, err)
	assert.Equal(t, broadcast.Update{ID: "u-1", IncidentID: "cdn", Title: "CDN errors", Status: broadcast.StatusInvestigating,
		Impact: broadcast.ImpactMajor, Body: "Some requests fail.",
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage}},
		URL:        "https://status.example.com/i/1", Time: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC),
		Overrides: map[string]string{"x": "Short text"}, Advice: "Retry."}, u)
}

// Every error names the value at fault as the client wrote it, and says
// what was wanted.
func TestDecodeStrictNamesTheField(t *testing.T) {
	tests := []struct {
		name, body, field, msg string
	}{
		{"empty body", ``, "", "empty body: want a JSON object"},
		{"white space only", " \n", "", "empty body: want a JSON object"},
		{"not an object", `[{"title": "x"}]`, "", "want a JSON object, got an array"},
		{"null", `null`, "", "want a JSON object, got null"},
		{"not UTF-8", "{\"title\": \"\xff\"}", "", "not valid UTF-8 at offset 11"},
		{"a byte order mark alone", "\ufeff", "", "empty body: want a JSON object"},
		// Windows tools (PowerShell 5's Out-File, .NET's Encoding.Unicode)
		// write UTF-16, whose ASCII is valid UTF-8 beside NUL bytes: it
		// was refused as "invalid character '\x00'", JSON's words.
		{"UTF-16 without a byte order mark", utf16LE(`{"title": "x"}`), "", "the body looks like UTF-16 (little-endian), not UTF-8: send JSON in UTF-8"},
		{"UTF-16 big-endian", "\x00" + strings.Join(strings.Split(`{"title": "x"}`, ""), "\x00"), "", "looks like UTF-16 (big-endian), not UTF-8"},
		{"UTF-16 with a byte order mark", "\xff\xfe" + utf16LE(`{}`), "", "looks like UTF-16 (little-endian, with a byte order mark)"},
		{"UTF-32", "{\x00\x00\x00}\x00\x00\x00", "", "looks like UTF-32 (little-endian), not UTF-8"},
		{"a NUL after the first character", "{\"\x00\": 1}", "", "malformed JSON at offset 2"},
		// Offsets count from the start of the body as sent, the byte
		// order mark's 3 bytes included: the client's editor shows those.
		{"a byte order mark twice", "\ufeff\ufeff{}", "", "malformed JSON at offset 4"},
		{"malformed after a byte order mark", "\ufeff" + `{"title": "x",}`, "", "malformed JSON at offset 17: invalid character"},
		{"malformed in a value after a byte order mark", "\ufeff" + `{"title": "x\q"}`, "title", "malformed JSON at offset 15"},
		{"not UTF-8 after a byte order mark", "\ufeff{\"title\": \"\xff\"}", "", "not valid UTF-8 at offset 14"},
		{"malformed", `{"title": "x",}`, "", "malformed JSON at offset 14: invalid character"},
		{"cut short", `{"title": "x"`, "", "malformed JSON: the body ends inside a value"},
		{"cut short in a value", `{"title": "x`, "title", "malformed JSON"},
		{"unknown field", `{"titel": "x"}`, "titel", "unknown field"},
		{"keys are case-sensitive", `{"Title": "x"}`, "Title", "unknown field"},
		{"unknown field of a component", `{"components": [{"name": "a"}, {"nmae": "b"}]}`, "components[1].nmae", "unknown field"},
		{"given twice", `{"title": "a", "title": "b"}`, "title", "given twice"},
		{"override given twice", `{"overrides": {"x": "a", "x": "b"}}`, `overrides["x"]`, "given twice"},
		{"string wanted", `{"title": 5}`, "title", "want a string, got a number"},
		{"string wanted in a component", `{"components": [{"status": true}]}`, "components[0].status", "want a string, got a boolean"},
		{"override not a string", `{"overrides": {"x": ["a"]}}`, `overrides["x"]`, "want a string, got an array"},
		{"object wanted", `{"overrides": "x"}`, "overrides", "want an object, got a string"},
		{"array wanted", `{"components": {"name": "a"}}`, "components", "want an array, got an object"},
		{"component not an object", `{"components": ["CDN"]}`, "components[0]", "want an object, got a string"},
		{"time in another format", `{"time": "yesterday"}`, "time", `want a time as RFC 3339 text, as "2026-05-01T12:00:00Z"`},
		{"time not a string", `{"next_update": 1714564800}`, "next_update", "want a time as RFC 3339 text"},
		{"trailing object", `{"title": "a"}{"title": "b"}`, "", "trailing data after the JSON object"},
		{"trailing text", `{"title": "a"} x`, "", "trailing data after the JSON object"},
		// RFC 8259, 8.2: a string with an unpaired UTF-16 surrogate
		// ("\uDEAD") is no Unicode text, and encoding/json would post it
		// as U+FFFD.
		{"lone high surrogate", `{"title": "CDN \ud800 errors"}`, "title", `lone UTF-16 surrogate \ud800`},
		{"lone low surrogate", `{"body": "\uDC00"}`, "body", `lone UTF-16 surrogate \uDC00`},
		{"high surrogate before another escape", `{"body": "\ud83d\u0041"}`, "body", `lone UTF-16 surrogate \ud83d`},
		{"reversed pair", `{"body": "\ude00\ud83d"}`, "body", `lone UTF-16 surrogate \ude00`},
		{"lone surrogate in a component", `{"components": [{"name": "a"}, {"name": "\ud800"}]}`, "components[1].name", "lone UTF-16 surrogate"},
		{"lone surrogate in an override's key", `{"overrides": {"x\ud800": "a"}}`, "overrides[\"x\ufffd\"]", "lone UTF-16 surrogate"},
		{"lone surrogate in a field name", `{"title\udfff": "a"}`, "title\ufffd", "lone UTF-16 surrogate"},
		{"long unknown key is cut", `{"` + strings.Repeat("k", 100) + `": 1}`, strings.Repeat("k", 64) + "…", "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var u broadcast.Update
			err := decodeStrict(strings.NewReader(tt.body), &u)
			var bad *inputError
			require.ErrorAs(t, err, &bad)
			assert.Equal(t, tt.field, bad.field)
			assert.Contains(t, bad.msg, tt.msg)
			if tt.field != "" {
				assert.True(t, strings.HasPrefix(err.Error(), tt.field+": "), "the message starts with the field: %s", err)
			}
		})
	}
}

// An escaped pair of surrogates is one character, and an escaped
// backslash before "ud800" escapes no surrogate.
func TestDecodeStrictTakesSurrogatePairs(t *testing.T) {
	var u broadcast.Update
	require.NoError(t, decodeStrict(strings.NewReader(`{"title": "Fire \ud83d\udd25", "body": "C:\\ud800", "overrides": {"x\ud83d\ude00": "\uD83D\uDE00"}}`), &u))
	assert.Equal(t, "Fire 🔥", u.Title)
	assert.Equal(t, `C:\ud800`, u.Body)
	assert.Equal(t, map[string]string{"x😀": "😀"}, u.Overrides)
}

func TestDecodeStrictLeavesTheSizeLimitToTheCaller(t *testing.T) {
	body := `{"title": "` + strings.Repeat("a", 100) + `"}`
	for _, limit := range []int64{10, int64(len(body)) - 1} {
		r := http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(strings.NewReader(body)), limit)
		var u broadcast.Update
		err := decodeStrict(r, &u)
		var tooLarge *http.MaxBytesError
		assert.True(t, errors.As(err, &tooLarge), "limit %d: %v", limit, err)
	}
}
