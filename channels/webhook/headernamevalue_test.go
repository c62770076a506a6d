package webhook

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A header whose value is another header's name ("X-Source: X-Trace-Id")
// does not hide that name in the other header's faults: a name is no
// secret. Before, the value counted as a secret that the name held, and
// the fault read "Config.Headers[a value (not quoted: it holds a secret
// of the channel's Config)]". A name holding any other value, or another
// secret of the Config, is still not quoted.
func TestHeaderValueThatIsANameHidesNotThatName(t *testing.T) {
	_, err := New(Config{URL: redact.NewURL("https://h.example/"), AllowUnsigned: true,
		Headers: map[string]redact.Secret{"X-Source": redact.NewSecret("X-Trace-Id"), "X-Trace-Id": redact.NewSecret("\x01")}})
	require.Error(t, err)
	assert.Equal(t, `webhook: Config.Headers["X-Trace-Id"]: control character in value`, err.Error())

	_, err = New(Config{URL: redact.NewURL("https://h.example/"), AllowUnsigned: true,
		Headers: map[string]redact.Secret{"X-Api-Key": redact.NewSecret("Kq7-Zx9"), "X-Kq7-Zx9": redact.NewSecret("\x01")}})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Kq7-Zx9")
	assert.Contains(t, err.Error(), "not quoted: it holds a secret")
}
