package redact_test

import (
	"testing"

	"github.com/outagecast/outagecast/redact"
)

// A short secret right after a quoted-printable escape ("=3D" for "=",
// "=20" for a space, as an e-mail body or a MIME encoded-word writes
// them) stands apart: the escape's hex digits are not part of its word.
// It showed, as "password=1234" quoted in a bounce or a header does.
func TestRedactorShortSecretAfterQuotedPrintableEscape(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret("1234"), redact.NewSecret("e"))
	assertShown(t, r, map[string]string{
		"login failed: password=3D1234":        "login failed: password=3DREDACTED",
		"Subject: =?utf-8?q?password=3D1234?=": "Subject: =?utf-8?q?password=3DREDACTED?=",
		"the password=20e was refused":         "the password=20REDACTED was refused",
		"a line=0A1234=0Aand the next":         "a line=0AREDACTED=0Aand the next",
	}, "order=31234", "x=3De1", "ID 51234")
}
