package webhook

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A header whose value is another header's name ("X-Source: X-Trace-Id")
// hides that name in the other header's faults, as any header value
// held in a name is: the channel cannot tell such a value from a token
// pasted as a name too (TestTokenAsHeaderNameAndValueNotQuoted). This
// test wanted "Config.Headers["X-Trace-Id"]" before, which quoted the
// token of that case. A name holding any other value, or another secret
// of the Config, is not quoted either.
func TestHeaderValueThatIsANameHidesThatName(t *testing.T) {
	_, err := New(Config{URL: redact.NewURL("https://h.example/"), AllowUnsigned: true,
		Headers: map[string]redact.Secret{"X-Source": redact.NewSecret("X-Trace-Id"), "X-Trace-Id": redact.NewSecret("\x01")}})
	require.Error(t, err)
	assert.Equal(t, `webhook: Config.Headers[a value (not quoted: it holds a secret of the channel's Config)]: control character in value`, err.Error())

	_, err = New(Config{URL: redact.NewURL("https://h.example/"), AllowUnsigned: true,
		Headers: map[string]redact.Secret{"X-Api-Key": redact.NewSecret("Kq7-Zx9"), "X-Kq7-Zx9": redact.NewSecret("\x01")}})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Kq7-Zx9")
	assert.Contains(t, err.Error(), "not quoted: it holds a secret")
}

// A token pasted as a header's name and as the value of a header not
// named as a credential is a secret all the same, as every header value
// is: New's errors do not quote the name. Before, the value was taken for
// a header's name, no secret: Config.Headers["s3cr3tT0k3nZ"].
func TestTokenAsHeaderNameAndValueNotQuoted(t *testing.T) {
	const tok = "s3cr3tT0k3nZ"
	for _, bad := range []string{"\x01", ""} {
		_, err := New(Config{URL: redact.NewURL("https://h.example/"), AllowUnsigned: true,
			Headers: map[string]redact.Secret{"X-Source": redact.NewSecret(tok), tok: redact.NewSecret(bad)}})
		require.Error(t, err)
		assert.NotContains(t, err.Error(), tok)
		assert.Contains(t, err.Error(), "webhook: Config.Headers[a value (not quoted: it holds a secret of the channel's Config)]")
	}
}
