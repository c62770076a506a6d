package redact

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
)

// CheckName did not look for a URL's user and password together, in the
// forms WithURL redacts them (HTTP Basic's "user:password", SASL and SMTP
// AUTH PLAIN, XOAUTH2, each as is and in base64), so a name holding the
// Authorization header's value for a URL with a short password passed,
// though a Redactor of that URL changes it.
func TestCheckNameFindsAURLsLoginForms(t *testing.T) {
	urls := []URL{NewURL("https://ops:pw12@hooks.example.com/in")}
	rd := NewRedactor().WithURLs(urls...)
	b64 := base64.StdEncoding.EncodeToString
	for _, name := range []string{
		"ops:pw12", "Basic " + b64([]byte("ops:pw12")), b64([]byte("\x00ops\x00pw12")),
		b64([]byte("ops\x00ops\x00pw12")), b64([]byte("user=ops\x01auth=Bearer pw12\x01\x01")),
	} {
		assert.NotEqual(t, name, rd.String(name), "a Redactor of the URL changes %q", name)
		assert.Equal(t, ErrSecretInName, CheckName(name, nil, urls), "%q", name)
	}
	assert.NoError(t, CheckName("ops-pw12", nil, urls))
}
