package redact

import (
	"strings"
	"testing"
)

// A short secret of marks alone, no letter or digit ("+", a channel key or
// password of one character), is replaced where no letter or digit touches
// it, as the short secret of letters is: its marks do not end a word of
// its own, and it was replaced wherever it occurred, turning "(+k)" into
// "(REDACTEDk)". Every form of it (as is, %-escaped, base64, JSON, HTML,
// quoted-printable, hex) standing apart is still replaced whole.
func TestRedactorMarksOnlySecretStandsApart(t *testing.T) {
	for _, secret := range []string{"+", "-+", "!", ".,", "#"} {
		r := NewRedactor(NewSecret(secret))
		for _, form := range encodings(secret) {
			for _, text := range []string{form, "key " + form, "key " + form + ".", "(" + form + ")", "key=" + form + "\r\n", `"` + form + `"`} {
				got := r.String(text)
				if !r.Holds(text) || strings.Contains(got, form) && !strings.Contains(text, form+form) {
					t.Errorf("secret %q, form %q: %q gives %q", secret, form, text, got)
				}
			}
		}
	}
	r := NewRedactor(NewSecret("+"), NewSecret("-+"))
	for text, want := range map[string]string{
		"Cannot join channel (+k) - bad key +":          "Cannot join channel (+k) - bad key REDACTED",
		"MODE #ops +k +":                                "MODE #ops +k REDACTED",
		"the server set +R; key (-+) or -+k":            "the server set +R; key (REDACTED) or -+k",
		`{"password":"+"} a+b 1+1`:                      `{"password":"REDACTED"} a+b 1+1`,
		"477 #ops :Cannot join channel (+R) key=-+\r\n": "477 #ops :Cannot join channel (+R) key=REDACTED\r\n",
	} {
		if got := r.String(text); got != want {
			t.Errorf("%q: got %q, want %q", text, got, want)
		}
	}
	for _, text := range []string{"Cannot join channel (+k)", "+R", "a+b", "(-+k)"} {
		if r.Holds(text) {
			t.Errorf("Holds(%q): the marks are not the secret there", text)
		}
	}
}
