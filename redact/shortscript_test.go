package redact_test

import (
	"testing"

	"github.com/outagecast/outagecast/redact"
)

// A letter outside ASCII is a letter: a short password that ends in a
// mark and starts with one ("é!") is hidden where that mark touches a
// word, as "a!" is, and was shown whole in "é!1", the "é" taken for a
// mark; and the password "+" stays in "ä+", a word's, as in "a+".
func TestRedactorShortSecretLettersOfAnyScript(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret("é!"), redact.NewSecret("+"), redact.NewSecret("e"))
	assertShown(t, r, map[string]string{
		"464 :Password incorrect: é!1": "464 :Password incorrect: REDACTED1",
		"bad key: é!":                  "bad key: REDACTED",
		"464 :Password incorrect: +":   "464 :Password incorrect: REDACTED",
		"Passwort: e.":                 "Passwort: REDACTED.",
	}, "Kanal ä+ (+k)", "+ä", "Schlüssel äe", "bé!")
}
