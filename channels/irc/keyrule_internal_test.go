package irc

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A channel key and a password of the same few characters stand apart in
// the same places: one rule, one reading of a letter (any script's, as
// "ä" is one). The redactor took "ä" for a mark, so that it hid the
// password "+" in "ä+", which the key rule (WithWords) keeps as a word, and kept the
// password "é!" in "é!1", which the key rule hides, as it hides "a!" there.
func TestKeyAndPasswordStandApartAlike(t *testing.T) {
	for _, tc := range []struct{ secret, text string }{
		{"+", "ä+"}, {"+", "+ä"}, {"+", "a+"}, {"+", "key +"},
		{"é!", "bad key é!1"}, {"a!", "bad key a!1"}, {"!é", "bad key 1!é"},
		{"e", "äe"}, {"e", "eß"}, {"e", "password e"},
		{"ä", "für ä"}, {"ä", "bä"}, {"ä", "ää"}, {"ü+", "ü+b"},
		{"7", "wait 7 seconds, not ٣7"},
	} {
		r := redact.NewRedactor(redact.NewSecret(tc.secret))
		key := (&redact.Redactor{}).WithWords(redact.NewSecret(tc.secret)) // as settings hides a key
		assert.Equal(t, key.String(tc.text), r.String(tc.text), "%q in %q", tc.secret, tc.text)
	}
}
