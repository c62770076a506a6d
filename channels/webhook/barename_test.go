package webhook

import (
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A name holding a form of the signing key that the endpoint's Redactor
// hides (its bytes in hex, the URL-safe base64 of them) is refused
// whether the secret is written with its whsec_ prefix or without: the
// name is shown everywhere, unredacted, and the two forms are one key.
func TestNameHoldingKeyOfBareSecretRefused(t *testing.T) {
	raw := []byte("bare-signing-key-0123456789abcd?>") // 33 bytes: "+" in base64, "-" in URL-safe
	bare := base64.StdEncoding.EncodeToString(raw)
	names := map[string]string{
		"bare":            "ops-" + bare,
		"prefixed":        "ops-whsec_" + bare,
		"unpadded":        "ops-" + base64.RawStdEncoding.EncodeToString(raw),
		"key in hex":      "ops-" + hex.EncodeToString(raw),
		"key in URL-safe": "ops-" + base64.URLEncoding.EncodeToString(raw),
	}
	secrets := map[string]string{"prefixed": "whsec_" + bare, "bare": bare, "bare unpadded": base64.RawStdEncoding.EncodeToString(raw)}
	for sname, secret := range secrets {
		for nname, name := range names {
			t.Run(sname+" secret, name holding "+nname, func(t *testing.T) {
				for _, cfg := range []Config{
					{Name: name, URL: redact.NewURL("https://h.example/"), Secret: redact.NewSecret(secret)},
					{Name: name, Endpoints: []Endpoint{
						{URL: redact.NewURL("https://h.example/a"), Secret: redact.NewSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte("another-endpoint-key-0123456789")))},
						{URL: redact.NewURL("https://h.example/b"), Secret: redact.NewSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte("a-third-endpoint-key-0123456789"))), PreviousSecret: redact.NewSecret(secret)},
					}},
				} {
					_, err := New(cfg)
					require.ErrorIs(t, err, redact.ErrSecretInName)
					assert.Contains(t, err.Error(), "webhook: Config.Name: ")
					channeltest.AssertNoSecret(t, err.Error(), bare, string(raw))
				}
			})
		}
	}
}
