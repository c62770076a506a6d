// Package credshape tells the texts that have the shape of a credential,
// so that an error does not quote them: a channel's Config value that it
// refuses (setup.Quote) and a key of the configuration file that an
// error's path names are judged by the same rules.
package credshape

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// authSchemes are the HTTP authorization schemes (and the words APIs use
// alike) that precede a credential, in lower case.
var authSchemes = []string{"bearer", "basic", "digest", "token", "bot", "negotiate", "oauth", "apikey", "api-key", "sso-key"}

// Authorization reports whether v holds an authorization scheme's word
// followed by more text, as "Bearer …" and curl's "Authorization: Bearer
// …" do.
func Authorization(v string) bool {
	words := strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return r == ':' || unicode.IsSpace(r) })
	for i, w := range words {
		if i < len(words)-1 && slices.Contains(authSchemes, w) {
			return true
		}
	}
	return false
}

// Colon reports whether v holds a ":" before more text, as
// "user:password", "user:password@host" and "X-Api-Key: …" do.
func Colon(v string) bool {
	_, after, ok := strings.Cut(v, ":")
	return ok && strings.TrimSpace(after) != ""
}

// Token reports whether v holds a run of 16 or more characters of the
// alphabets tokens and keys are written in (letters, digits, "-", "_",
// "+", "/", "=", "~") with a digit in it.
func Token(v string) bool {
	inAlphabet := func(r rune) bool {
		return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_+/=~", r))
	}
	run, digit := 0, false
	for _, r := range v + " " {
		if inAlphabet(r) {
			run++
			digit = digit || unicode.IsDigit(r)
			continue
		}
		if run >= 16 && digit {
			return true
		}
		run, digit = 0, false
	}
	return false
}

// Any reports whether v has any of the shapes above: Authorization, Colon
// or Token.
func Any(v string) bool {
	return Authorization(v) || Colon(v) || Token(v)
}
