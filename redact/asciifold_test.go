package redact_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A token-like secret with letters outside ASCII, case-folded by a server
// that folds ASCII letters alone (an IRC server's "ascii" casemapping, C's
// toupper), is found as it is and %-escaped: its other letters keep their
// case ("PÄSSWORT" from "pässwort" by Unicode, "PäSSWORT" by ASCII).
func TestRedactorASCIICaseFolded(t *testing.T) {
	const secret = "pässwort-Zwölf-12"
	fold := func(s string, up bool) string {
		return strings.Map(func(c rune) rune {
			switch {
			case up && 'a' <= c && c <= 'z':
				return c - 'a' + 'A'
			case !up && 'A' <= c && c <= 'Z':
				return c - 'A' + 'a'
			}
			return c
		}, s)
	}
	r := redact.NewRedactor(redact.NewSecret(secret))
	for _, up := range []bool{true, false} {
		v := fold(secret, up)
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			text := ":irc.example NOTICE * :BAD PASSWORD " + form + " REJECTED"
			assert.Equal(t, ":irc.example NOTICE * :BAD PASSWORD REDACTED REJECTED", r.String(text), form)
			assert.True(t, r.Holds(text), form)
		}
	}
}
