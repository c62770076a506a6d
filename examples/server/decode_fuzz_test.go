package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
)

// decodeStrict never panics, and never posts U+FFFD the client did not
// send: a lone surrogate is an error, not a replacement character.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{`{"title": "a\ud800b"}`, `{"title": "\ud83d\udd25"}`, `{"body": "\\ud800"}`,
		`{"overrides": {"k\udc00": "v"}}`, "\ufeff{\"title\": \"\ufffd\"}", `{"components": [{"name": "\uFFFD"}]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var u broadcast.Update
		if decodeStrict(strings.NewReader(body), &u) != nil {
			return
		}
		sent := strings.Contains(body, "\ufffd") || strings.Contains(strings.ToLower(body), `\ufffd`)
		texts := []string{u.ID, u.IncidentID, u.Title, u.Body, u.Advice, u.URL, u.Corrects, string(u.Status), string(u.Impact)}
		for _, c := range u.Components {
			texts = append(texts, c.Name, string(c.Status))
		}
		for k, v := range u.Overrides {
			texts = append(texts, k, v)
		}
		for _, s := range texts {
			if strings.ContainsRune(s, utf8.RuneError) && !sent {
				t.Fatalf("%q decoded to %q", body, s)
			}
		}
	})
}
