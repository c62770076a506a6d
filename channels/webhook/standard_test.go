package webhook

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// The test vectors of the Standard Webhooks reference libraries
// (github.com/standard-webhooks/standard-webhooks, v1.0.0 of
// spec/standard-webhooks.md): libraries/go/webhook_test.go (TestWebhook,
// TestWebhookSign), with the cases libraries/javascript/src/webhook.test.ts
// and libraries/python/tests/test_webhooks.py add. Each goes through the
// channel's signing (the request it sends) and through the Verifier.
//
// One deliberate difference: the reference libraries also take a secret
// without its whsec_ prefix (TestWebhookPrefix); Sign, New and NewVerifier
// refuse one (TestSecretForms), so that a token of another kind pasted as
// the secret is caught rather than signing with its bytes.

// referenceTolerance is the tolerance the reference tests assume, ours by
// default.
const referenceTolerance = 5 * time.Minute

// channelSignature is the webhook-signature the channel's own request path
// sets for a delivery with this id, timestamp and body, to an endpoint
// signing with secret (and previous, if not zero, while it is rotated).
func channelSignature(t *testing.T, secret, previous redact.Secret, id string, ts int64, body []byte) http.Header {
	t.Helper()
	c, err := New(Config{URL: redact.NewURL("https://hooks.example/in"), Secret: secret, PreviousSecret: previous})
	require.NoError(t, err)
	c.s.now = func() time.Time { return time.Unix(ts, 0) }
	h := http.Header{}
	c.setHeader(h, c.s.worker(), c.s.endpoints[0], id, body)
	return h
}

// TestWebhookSign of the reference libraries: a fixed secret, id,
// timestamp and body, and the signature every implementation computes.
func TestReferenceSignVector(t *testing.T) {
	got, err := Sign(redact.NewSecret(specSecret), specID, specTimestamp, []byte(specBody))
	require.NoError(t, err)
	assert.Equal(t, specSignature, got, "Sign")

	h := channelSignature(t, redact.NewSecret(specSecret), redact.Secret{}, specID, specTimestamp, []byte(specBody))
	assert.Equal(t, specID, h.Get(HeaderID), "the channel's "+HeaderID)
	assert.Equal(t, strconv.Itoa(specTimestamp), h.Get(HeaderTimestamp), "the channel's "+HeaderTimestamp)
	assert.Equal(t, specSignature, h.Get(HeaderSignature), "the channel's "+HeaderSignature)
	assert.NoError(t, specVerifier(t, redact.NewSecret(specSecret)).Verify(h, []byte(specBody)), "the Verifier")

	// While rotating to another secret, the spec secret's signature is the
	// second of two, space separated.
	h = channelSignature(t, testSecret("new"), redact.NewSecret(specSecret), specID, specTimestamp, []byte(specBody))
	sigs := strings.Split(h.Get(HeaderSignature), " ")
	require.Len(t, sigs, 2)
	assert.Equal(t, specSignature, sigs[1], "the previous secret's signature")
	assert.NoError(t, specVerifier(t, redact.NewSecret(specSecret)).Verify(h, []byte(specBody)), "a receiver with the old secret")
	assert.NoError(t, specVerifier(t, testSecret("new")).Verify(h, []byte(specBody)), "a receiver with the new secret")
}

// TestWebhook of the reference libraries: a delivery signed at a timestamp
// relative to the receiver's clock, its headers then altered; whether the
// Verifier must accept it.
func TestReferenceVerifyVectors(t *testing.T) {
	now := time.Unix(1_700_000_000, 0) // the receiver's clock
	tests := []struct {
		name   string
		skew   time.Duration // of the delivery's timestamp from now
		modify func(h http.Header)
		want   error // nil: accepted
	}{
		{"valid signature is valid", 0, nil, nil},
		{"missing id returns error", 0, func(h http.Header) { h.Del(HeaderID) }, ErrMissingHeaders},
		{"missing timestamp returns error", 0, func(h http.Header) { h.Del(HeaderTimestamp) }, ErrMissingHeaders},
		{"missing signature returns error", 0, func(h http.Header) { h.Del(HeaderSignature) }, ErrMissingHeaders},
		{"invalid signature is invalid", 0, func(h http.Header) {
			h.Set(HeaderSignature, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=")
		}, ErrSignature},
		{"partial signature is invalid", 0, func(h http.Header) { h.Set(HeaderSignature, "v1,") }, ErrSignature},
		{"partial signature throws error (javascript)", 0, func(h http.Header) {
			h.Set(HeaderSignature, h.Get(HeaderSignature)[:8])
		}, ErrSignature},
		{"invalid signature throws error (javascript)", 0, func(h http.Header) {
			h.Set(HeaderSignature, "v1,dawfeoifkpqwoekfpqoekf")
		}, ErrSignature},
		{"invalid timestamp throws error (javascript)", 0, func(h http.Header) { h.Set(HeaderTimestamp, "hello") }, ErrTimestamp},
		{"old timestamp fails", -referenceTolerance - time.Second, nil, ErrTimestamp},
		{"new timestamp fails", referenceTolerance + time.Second, nil, ErrTimestamp},
		{"timestamp at the tolerance passes", -referenceTolerance, nil, nil},
		{"valid multi sig is valid", 0, func(h http.Header) {
			h.Set(HeaderSignature, strings.Join([]string{
				"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
				"v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
				h.Get(HeaderSignature),
				"v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
			}, " "))
		}, nil},
		// The specification's example header: an asymmetric (v1a)
		// signature beside the v1 one. A receiver without the public key
		// skips it, whatever it holds.
		{"v1a signature skipped", 0, func(h http.Header) {
			h.Set(HeaderSignature, "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg== "+
				h.Get(HeaderSignature))
		}, nil},
		{"only a v1a signature", 0, func(h http.Header) {
			h.Set(HeaderSignature, "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==")
		}, ErrSignature},
		{"v1a with the v1 signature's bytes", 0, func(h http.Header) {
			h.Set(HeaderSignature, "v1a,"+strings.TrimPrefix(h.Get(HeaderSignature), "v1,"))
		}, ErrSignature},
		{"changed id", 0, func(h http.Header) { h.Set(HeaderID, specID+"x") }, ErrSignature},
		{"changed timestamp", 0, func(h http.Header) {
			ts, _ := strconv.ParseInt(h.Get(HeaderTimestamp), 10, 64)
			h.Set(HeaderTimestamp, strconv.FormatInt(ts+1, 10))
		}, ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := now.Add(tt.skew).Unix()
			body := []byte(specBody)
			h := channelSignature(t, redact.NewSecret(specSecret), redact.Secret{}, specID, ts, body)
			sig, err := Sign(redact.NewSecret(specSecret), specID, ts, body)
			require.NoError(t, err)
			require.Equal(t, sig, h.Get(HeaderSignature), "Sign and the channel agree")
			if tt.modify != nil {
				tt.modify(h)
			}
			v := specVerifier(t, redact.NewSecret(specSecret))
			v.now = func() time.Time { return now }
			err = v.Verify(h, body)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

// The reference libraries compare the base64 text of a signature with the
// one they compute (libraries/go/webhook.go, verify), so a signature
// whose last character differs is refused (test_webhooks.py,
// test_invalid_signature_throws_error: "…1OA=" for "…1OE="). Base64 of 32
// bytes leaves two bits of the last character unused; "…1OF=" differs from
// "…1OE=" only there, and is not the signature either.
func TestVerifyRefusesNonCanonicalSignature(t *testing.T) {
	for _, sig := range []string{
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", // test_webhooks.py
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OH=",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", // unpadded
	} {
		t.Run(sig, func(t *testing.T) {
			err := specVerifier(t, redact.NewSecret(specSecret)).Verify(specHeader(sig), []byte(specBody))
			assert.ErrorIs(t, err, ErrSignature)
		})
	}
}
