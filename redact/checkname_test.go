package redact

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// CheckName refuses exactly the names a Redactor of the same secrets and
// URLs would change, without building one, but for secrets shorter than
// MinNameSecret ("abcd", a query value named like a credential).
func TestCheckNameAsARedactor(t *testing.T) {
	secrets := []Secret{NewSecret("tok-1234567890"), NewSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")}
	urls := []URL{NewURL("https://ops:pa55-word@hooks.example.com/in/T0K3N-abcdef?sig=abcd&x=1"), NewURL("https://plain.example.com")}
	raw, _ := base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	rd := NewRedactor(secrets...).WithURLs(urls...)
	for _, name := range []string{
		"ops", "tok-1234567890", "my tok-1234567890 bot", url.QueryEscape("tok-1234567890&"), "dG9rLTEyMzQ1Njc4OTA=",
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", string(raw),
		"pa55-word", "T0K3N-abcdef", "abcd", "x=1", "https://plain.example.com", "https://hooks.example.com",
		"https://ops:pa55-word@hooks.example.com/in/T0K3N-abcdef?sig=abcd&x=1", "hooks.example.com", "in",
		strings.Repeat("a", 300),
	} {
		want := rd.String(name) != name && name != "abcd"
		err := CheckName(name, secrets, urls)
		assert.Equal(t, want, err != nil, "%q", name)
		if err != nil {
			assert.Equal(t, ErrSecretInName, err)
		}
	}
}
