package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// signText signs "id.ts.body" with ts the text given, as a sender that
// builds the signed content from its header's text does.
func signText(t *testing.T, secret redact.Secret, id, ts, body string) string {
	t.Helper()
	key, err := decodeSecret(secret)
	require.NoError(t, err)
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id + "." + ts + "." + body))
	return "v1," + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// A webhook-timestamp with a sign or leading zeros is an integer as the
// specification has it ("integer unix timestamp"), and what it signs is
// read two ways: the reference libraries sign the number in its plain form,
// a sender following the manual recipe ("${id}.${timestamp}.${body}") the
// header's text as sent. A delivery signed either way is genuine; one
// signed neither way is refused, its error naming the header; and a plain
// header never takes the signature of another text.
func TestVerifyTimestampForms(t *testing.T) {
	secret := redact.NewSecret(specSecret)
	plain := strconv.Itoa(specTimestamp)
	other := testSecret("other")
	tests := []struct {
		name   string
		header string // webhook-timestamp as sent
		sig    string
		want   error
	}{
		{"leading zero, the text signed", "0" + plain, signText(t, secret, specID, "0"+plain, specBody), nil},
		{"leading zero, the number signed", "0" + plain, specSignature, nil},
		{"plus sign, the text signed", "+" + plain, signText(t, secret, specID, "+"+plain, specBody), nil},
		{"plus sign, the number signed", "+" + plain, specSignature, nil},
		{"leading zero, another secret", "0" + plain, signText(t, other, specID, "0"+plain, specBody), ErrSignature},
		{"plain header, a zero-led text signed", plain, signText(t, secret, specID, "0"+plain, specBody), ErrSignature},
		{"zero-led header, another zero-led text signed", "0" + plain, signText(t, secret, specID, "00"+plain, specBody), ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := specHeader(tt.sig)
			h.Set(HeaderTimestamp, tt.header)
			err := specVerifier(t, secret).Verify(h, []byte(specBody))
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
			if tt.header != plain {
				assert.ErrorContains(t, err, HeaderTimestamp, "the error names the header whose form is odd")
			}
		})
	}
}

// VerifyRequest reads the same two forms as Verify.
func TestVerifyRequestTimestampForms(t *testing.T) {
	secret := redact.NewSecret(specSecret)
	ts := "0" + strconv.Itoa(specTimestamp)
	r, err := http.NewRequest(http.MethodPost, "http://example.test/", nil)
	require.NoError(t, err)
	r.Header = specHeader(signText(t, secret, specID, ts, ""))
	r.Header.Set(HeaderTimestamp, ts)
	_, err = specVerifier(t, secret).VerifyRequest(r, 0)
	assert.NoError(t, err)
}
