package redact_test

import (
	"html/template"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// Every byte of every occurrence of every secret is covered, also where
// occurrences overlap: a shorter secret that starts first, one secret
// inside another's tail, a secret that overlaps itself.
func TestRedactorOverlappingSecrets(t *testing.T) {
	for _, tt := range []struct {
		secrets []string
		text    string
		want    string
	}{
		{[]string{"abcXYZ", "cXYZ123"}, "id abcXYZ123 end", "id REDACTED end"},
		{[]string{"cXYZ123", "abcXYZ"}, "id abcXYZ123 end", "id REDACTED end"},
		{[]string{"aXaXaX"}, "id aXaXaXaX end", "id REDACTED end"},
		{[]string{"token-1234", "1234-more"}, "token-1234 and token-1234-more", "REDACTED and REDACTED"},
		{[]string{"abcXYZ", "XYZ12345", "2345end"}, "abcXYZ12345end!", "REDACTED!"},
	} {
		var ss []redact.Secret
		for _, s := range tt.secrets {
			ss = append(ss, redact.NewSecret(s))
		}
		r := redact.NewRedactor(ss...)
		assert.Equal(t, tt.want, r.String(tt.text), tt.secrets)
		assert.True(t, r.Holds(tt.text))
	}
}

// A secret that overlaps a URL the Redactor shows keeps the URL shown and
// redacts the rest.
func TestRedactorOverlapWithURL(t *testing.T) {
	const raw = "https://hooks.example.com/services/T0001/B0002/abcdefghijklmnop"
	r := redact.NewRedactor(redact.NewSecret("abcdefghijklmnop-extra-0123")).WithURL(redact.NewURL(raw))
	out := r.String("post " + raw + "-extra-0123: 404")
	assert.NotContains(t, out, "extra")
	assert.NotContains(t, out, "abcdefgh")
	assert.Contains(t, out, "https://hooks.example.com/…")
	assert.Contains(t, out, ": 404")
}

// Text cut short may end in a secret's head: Truncated leaves it out, so
// that no part of a secret survives the cut.
func TestRedactorTruncated(t *testing.T) {
	const secret = "tok-0123456789abcdef"
	r := redact.NewRedactor(redact.NewSecret(secret), redact.NewSecret("other-secret-42"))
	for n := 1; n < len(secret); n++ {
		text := `{"error":"bad token ` + secret + `", "token":"` + secret[:n]
		out := r.Truncated(text)
		assert.Equal(t, `{"error":"bad token REDACTED", "token":"`, out, n)
	}
	// A head escaped, or inside an occurrence of another secret.
	assert.Equal(t, "x=", r.Truncated("x="+url.QueryEscape("tok-0123456789abcdef")[:12]))
	assert.Equal(t, "x=REDACTED", r.Truncated("x=other-secret-42tok-01"))
	// A text that ends in no head is String's.
	assert.Equal(t, "bad token REDACTED.", r.Truncated("bad token "+secret+"."))
	assert.Equal(t, "nothing here", r.Truncated("nothing here"))
	var nilR *redact.Redactor
	assert.Equal(t, "tok-0", nilR.Truncated("tok-0"))
}

// Go's html/template escapes an unquoted attribute's value more: "=",
// space, "`" and the other space characters as decimal references.
func TestRedactorHTMLTemplateUnquotedAttribute(t *testing.T) {
	for _, secret := range []string{"dG9rZW4+c2VjcmV0/MTIz==", "pass word`\t=1", `it's+"q"&<b>`} {
		r := redact.NewRedactor(redact.NewSecret(secret))
		var b strings.Builder
		require.NoError(t, template.Must(template.New("").Parse(`<input value={{.}}>`)).Execute(&b, secret))
		assert.Equal(t, "<input value=REDACTED>", r.String(b.String()), b.String())
	}
}

// url.URL.EscapedPath keeps more than PathEscape ("/", ",", ";"), and
// .NET's HttpUtility.UrlEncode keeps "!*()" but escapes "'" and "~",
// with lower-case hex and a space as "+".
func TestRedactorPathAndDotNetURLForms(t *testing.T) {
	const secret = "pa ss/wörd,x;y!*'()~$&+=:@"
	r := redact.NewRedactor(redact.NewSecret(secret))
	u := &url.URL{Path: "/hook/" + secret}
	for name, form := range map[string]string{
		"go EscapedPath":       strings.TrimPrefix(u.EscapedPath(), "/hook/"),
		"net HttpUtility":      "pa+ss%2fw%c3%b6rd%2cx%3by!*%27()%7e%24%26%2b%3d%3a%40",
		"net WebUtility upper": "pa+ss%2Fw%C3%B6rd%2Cx%3By!*%27()%7E%24%26%2B%3D%3A%40",
	} {
		assert.Equal(t, "token=REDACTED;", r.String("token="+form+";"), name)
	}
}
