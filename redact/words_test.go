package redact_test

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// WithWords finds a word where it stands apart, whatever its length, and
// nowhere else: a short one does not take its letters out of other words,
// nor a long one its text out of a longer word; one with a mark at an end
// is found whatever touches that end, one of marks alone only where no
// letter or digit touches it.
func TestRedactorWithWords(t *testing.T) {
	r := (&redact.Redactor{}).WithWords(redact.NewSecret("n"), redact.NewSecret("sesame"),
		redact.NewSecret("ops!"), redact.NewSecret("+"))
	for text, want := range map[string]string{
		"Cannot join channel (+k) - bad key n":   "Cannot join channel (+k) - bad key REDACTED",
		"bad key sesame, not sesame2 or Xsesame": "bad key REDACTED, not sesame2 or Xsesame",
		"bad key ops!1":                          "bad key REDACTED1",
		"bad key +":                              "bad key REDACTED",
	} {
		assert.Equal(t, want, r.String(text), "%q", text)
		assert.True(t, r.Holds(text), "%q", text)
	}
	for _, text := range []string{"Cannot join channel (+k)", "sesame2 Xsesame", "tops!",
		base64.StdEncoding.EncodeToString([]byte("sesame"))} {
		assert.Equal(t, text, r.String(text), "%q", text)
		assert.False(t, r.Holds(text), "%q", text)
	}
}

// A word touching another secret at a mark ("letmein!kiwi": a password
// ending in "!" and a word; "plum!kiwi": two words) is found with it in
// one pass over the text as written: each is replaced where it stands,
// and the REDACTED of the first does not run on with the second, which a
// second pass over the text with the first replaced would find glued to
// a letter and leave.
func TestRedactorWordsTouchingOtherSecrets(t *testing.T) {
	kiwi := redact.NewSecret("kiwi")
	for _, tc := range []struct {
		r          *redact.Redactor
		text, want string
	}{
		{redact.NewRedactor(redact.NewSecret("letmein!")).WithWords(kiwi), "bad key letmein!kiwi", "bad key REDACTEDREDACTED"},
		{redact.NewRedactor(redact.NewSecret("!letmein")).WithWords(kiwi), "bad key kiwi!letmein", "bad key REDACTEDREDACTED"},
		{(&redact.Redactor{}).WithWords(redact.NewSecret("plum!"), kiwi), "bad key plum!kiwi", "bad key REDACTEDREDACTED"},
		{(&redact.Redactor{}).WithWords(kiwi, redact.NewSecret("!plum")), "bad key kiwi!plum", "bad key REDACTEDREDACTED"},
	} {
		assert.Equal(t, tc.want, tc.r.String(tc.text), "%q", tc.text)
	}
}

// A word that is also another secret (With) is found as that secret is,
// inside a longer word too, whichever was added first.
func TestRedactorWordAlsoASecret(t *testing.T) {
	s := redact.NewSecret("sesame")
	for _, r := range []*redact.Redactor{redact.NewRedactor(s).WithWords(s), (&redact.Redactor{}).WithWords(s).With(s)} {
		assert.Equal(t, "XREDACTED", r.String("Xsesame"))
	}
}

// A secret found in the text as written stays found where another beside
// it is found only once the text's escapes are decoded (a character
// reference, a %-escape): the one found decoded was replaced first, and
// a word or a short secret touching it then ran on with its REDACTED and
// was left ("bad key REDACTEDkiwi"), a secret overlapping it was left in
// part ("REDACTED123").
func TestRedactorSecretsBesideOnesFoundDecoded(t *testing.T) {
	S := redact.NewSecret
	for _, tc := range []struct {
		r      *redact.Redactor
		text   string
		hidden []string
	}{
		{redact.NewRedactor(S("letmein!")).WithWords(S("kiwi")), "bad key letmein&#33;kiwi", []string{"letmein", "kiwi"}},
		{redact.NewRedactor(S("!letmein")).WithWords(S("kiwi")), "bad key kiwi&#33;letmein", []string{"letmein", "kiwi"}},
		{(&redact.Redactor{}).WithWords(S("kiwi!")), "bad%20key%20kiwi!kiwi!", []string{"kiwi"}},
		{redact.NewRedactor(S("ab!")), "bad%20key%20ab!ab!", []string{"ab!"}},
		{redact.NewRedactor(S("hello!world"), S("world123")), "x hello&#33;world123", []string{"hello", "world", "123"}},
	} {
		for _, got := range []string{tc.r.String(tc.text), tc.r.Truncated(tc.text + " and more")} {
			for _, h := range tc.hidden {
				assert.NotContains(t, got, h, "%q", tc.text)
			}
		}
		assert.True(t, tc.r.Holds(tc.text), "%q", tc.text)
	}
}
