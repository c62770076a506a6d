package webhook

import (
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// The Standard Webhooks specification's published example.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignSpecVector(t *testing.T) {
	got, err := Sign(redact.NewSecret(specSecret), specID, specTimestamp, []byte(specBody))
	require.NoError(t, err)
	assert.Equal(t, specSignature, got)
}

func specHeader(sig string) http.Header {
	h := http.Header{}
	h.Set(HeaderID, specID)
	h.Set(HeaderTimestamp, strconv.Itoa(specTimestamp))
	h.Set(HeaderSignature, sig)
	return h
}

func specVerifier(t *testing.T, secrets ...redact.Secret) *Verifier {
	v, err := NewVerifier(secrets[0], secrets[1:]...)
	require.NoError(t, err)
	v.now = func() time.Time { return time.Unix(specTimestamp, 0) }
	return v
}

func TestVerify(t *testing.T) {
	other := testSecret("other")
	otherSig, err := Sign(other, specID, specTimestamp, []byte(specBody))
	require.NoError(t, err)
	tests := []struct {
		name    string
		secrets []redact.Secret
		header  http.Header
		body    string
		want    error
	}{
		{"spec vector", []redact.Secret{redact.NewSecret(specSecret)}, specHeader(specSignature), specBody, nil},
		{"rotation: old secret in the verifier", []redact.Secret{other, redact.NewSecret(specSecret)}, specHeader(specSignature), specBody, nil},
		{"rotation: several signatures sent", []redact.Secret{redact.NewSecret(specSecret)}, specHeader(otherSig + " " + specSignature), specBody, nil},
		{"unknown scheme skipped", []redact.Secret{redact.NewSecret(specSecret)}, specHeader("v1a,abc " + specSignature), specBody, nil},
		{"wrong secret", []redact.Secret{other}, specHeader(specSignature), specBody, ErrSignature},
		{"body changed", []redact.Secret{redact.NewSecret(specSecret)}, specHeader(specSignature), `{"test": 2432232315}`, ErrSignature},
		{"not base64", []redact.Secret{redact.NewSecret(specSecret)}, specHeader("v1,!!!"), specBody, ErrSignature},
		{"no scheme", []redact.Secret{redact.NewSecret(specSecret)}, specHeader(strings.TrimPrefix(specSignature, "v1,")), specBody, ErrSignature},
		{"missing signature", []redact.Secret{redact.NewSecret(specSecret)}, specHeader(""), specBody, ErrMissingHeaders},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := specVerifier(t, tt.secrets...).Verify(tt.header, []byte(tt.body))
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestVerifyTimestamp(t *testing.T) {
	tests := []struct {
		name      string
		skew      time.Duration
		tolerance time.Duration
		ok        bool
	}{
		{"now", 0, 0, true},
		{"4m old", -4 * time.Minute, 0, true},
		{"6m old", -6 * time.Minute, 0, false},
		{"6m ahead", 6 * time.Minute, 0, false},
		{"6m old, 10m tolerance", -6 * time.Minute, 10 * time.Minute, true},
		{"2s old, 1s tolerance", -2 * time.Second, time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Unix(1_700_000_000, 0)
			ts := now.Add(tt.skew).Unix()
			sig, err := Sign(redact.NewSecret(specSecret), specID, ts, []byte(specBody))
			require.NoError(t, err)
			h := specHeader(sig)
			h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
			v := specVerifier(t, redact.NewSecret(specSecret)).WithTolerance(tt.tolerance)
			v.now = func() time.Time { return now }
			err = v.Verify(h, []byte(specBody))
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrTimestamp)
			}
		})
	}
	h := specHeader(specSignature)
	h.Set(HeaderTimestamp, "yesterday")
	assert.ErrorIs(t, specVerifier(t, redact.NewSecret(specSecret)).Verify(h, []byte(specBody)), ErrTimestamp)
}

func TestSecretForms(t *testing.T) {
	tests := []struct {
		secret redact.Secret
		err    string
	}{
		{redact.NewSecret(specSecret), ""},
		{testSecret("x"), ""},                                      // 32 bytes, padded
		{redact.NewSecret("whsec_" + strings.Repeat("A", 86)), ""}, // 64 bytes, unpadded
		// Without its prefix, as the reference libraries take it.
		{redact.NewSecret(strings.TrimPrefix(specSecret, "whsec_")), ""},
		{redact.NewSecret(strings.Repeat("A", 86)), ""},
		{redact.NewSecret("whsec_not*base64"), "not valid base64"},
		{redact.NewSecret("whsec_" + strings.Repeat("A", 28)), "decodes to 21 bytes, want 24 to 64"},
		{redact.NewSecret("whsec_" + strings.Repeat("A", 88)), "decodes to 66 bytes, want 24 to 64"},
		{redact.NewSecret("hunter2-not*base64"), "not valid base64"},
		{redact.NewSecret(strings.Repeat("B", 28)), "decodes to 21 bytes, want 24 to 64"},
		{redact.NewSecret(strings.Repeat("B", 88)), "decodes to 66 bytes, want 24 to 64"},
	}
	for _, tt := range tests {
		t.Run(tt.secret.Reveal(), func(t *testing.T) {
			_, err := Sign(tt.secret, "id", 1, nil)
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.NotContains(t, err.Error(), strings.TrimPrefix(tt.secret.Reveal(), "whsec_"))
		})
	}
	_, err := NewVerifier(redact.NewSecret(specSecret), redact.NewSecret("bad"))
	require.EqualError(t, err, "webhook: NewVerifier: secret 2: whsec_ secret decodes to 2 bytes, want 24 to 64 (given without its whsec_ prefix)")
}

// A secret written without its whsec_ prefix is the same secret: it signs
// as the prefixed one does, the specification's example included, a
// Verifier of either form takes the other's signatures, and ParseSecret
// gives both the prefixed form. (The channel refused it, "not a whsec_
// secret", though the reference libraries trim the prefix if it is there
// and decode the rest.)
func TestSecretWithoutPrefixSignsAlike(t *testing.T) {
	prefixed := redact.NewSecret(specSecret)
	bare := redact.NewSecret(strings.TrimPrefix(specSecret, "whsec_"))
	got, err := Sign(bare, specID, specTimestamp, []byte(specBody))
	require.NoError(t, err)
	assert.Equal(t, specSignature, got)
	for _, s := range []redact.Secret{prefixed, bare} {
		assert.NoError(t, specVerifier(t, s).Verify(specHeader(specSignature), []byte(specBody)))
		p, err := ParseSecret(s)
		require.NoError(t, err)
		assert.Equal(t, specSecret, p.Reveal())
	}
	// Unpadded, it comes back padded.
	p, err := ParseSecret(redact.NewSecret(strings.TrimRight(testSecret("x").Reveal(), "=")[len("whsec_"):]))
	require.NoError(t, err)
	assert.Equal(t, testSecret("x").Reveal(), p.Reveal())
}

// ParseSecret's errors say what is wrong, never quoting the secret, in
// either form.
func TestParseSecretErrors(t *testing.T) {
	for _, s := range []string{"", "whsec_", "hunter2-not*base64", "whsec_hunter2-not*base64", "QUFBQUFBQUFB", "whsec_QUFBQUFBQUFB"} {
		_, err := ParseSecret(redact.NewSecret(s))
		require.Error(t, err, s)
		assert.True(t, strings.HasPrefix(err.Error(), "webhook: ParseSecret: whsec_ secret "), err.Error())
		if b := strings.TrimPrefix(s, "whsec_"); b != "" {
			assert.NotContains(t, err.Error(), b)
		}
	}
}

func TestRetractionKey(t *testing.T) {
	a := retractionKey("hooks", "u_1", "https://a.example#0123456789ab")
	assert.Equal(t, a, retractionKey("hooks", "u_1", "https://a.example#0123456789ab"), "stable")
	assert.NotEqual(t, a, retractionKey("hooks", "u_2", "https://a.example#0123456789ab"), "per update")
	assert.NotEqual(t, a, retractionKey("hooks", "u_1", "https://b.example#0123456789ab"), "per endpoint")
	assert.NotEqual(t, a, retractionKey("other", "u_1", "https://a.example#0123456789ab"), "per channel")
	assert.NotEqual(t, retractionKey("a", "b;c", "d"), retractionKey("a;b", "c", "d"))
	assert.Regexp(t, `^[0-9a-f]{32}$`, a)
	m := broadcast.NewMessage(broadcast.Update{ID: "u_1", Title: "T", Status: broadcast.StatusResolved})
	assert.NotEqual(t, m.Key("https://a.example#0123456789ab"), retractionKey("", "u_1", "https://a.example#0123456789ab"),
		"not the update's webhook-id")
}

func TestVerifierPrintsNoSecret(t *testing.T) {
	v := specVerifier(t, redact.NewSecret(specSecret))
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(specSecret, "whsec_"))
	require.NoError(t, err)
	// fmt shows bytes it reaches as a list of numbers.
	numbers := strings.Trim(fmt.Sprint(raw[:8]), "[]")
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X"} {
		for _, v := range []*Verifier{v, v.WithTolerance(time.Minute)} {
			out := fmt.Sprintf(format, v)
			channeltest.AssertNoSecret(t, out, specSecret, string(raw))
			assert.NotContains(t, out, numbers, format)
		}
	}
}

// A Verifier not made by NewVerifier has no secret: it refuses every
// delivery, with an error that says why, rather than panic.
func TestZeroVerifierRefuses(t *testing.T) {
	for name, v := range map[string]*Verifier{"zero": {}, "nil": nil, "zero with tolerance": (&Verifier{}).WithTolerance(time.Minute)} {
		t.Run(name, func(t *testing.T) {
			h := specHeader(specSignature)
			h.Set(HeaderTimestamp, strconv.FormatInt(time.Now().Unix(), 10))
			var err error
			require.NotPanics(t, func() { err = v.Verify(h, []byte(specBody)) })
			assert.ErrorIs(t, err, ErrSignature)
			assert.ErrorContains(t, err, "NewVerifier")
		})
	}
}

// VerifyRequest reads up to its limit: a body of exactly the limit is
// verified, one byte more is refused, and the largest limit, which a
// receiver passes to mean "no limit of mine" (it bounds the body with
// http.MaxBytesReader, say), reads the body rather than overflowing into
// a limit that reads nothing and refuses every delivery as unsigned.
func TestVerifyRequestLimit(t *testing.T) {
	n := int64(len(specBody))
	tests := []struct {
		name  string
		limit int64
		want  error
	}{
		{"exactly the limit", n, nil},
		{"one byte over", n - 1, ErrBodyTooLarge},
		{"default", 0, nil},
		{"largest", math.MaxInt64, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(specBody))
			r.Header = specHeader(specSignature)
			body, err := specVerifier(t, redact.NewSecret(specSecret)).VerifyRequest(r, tt.limit)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, specBody, string(body))
		})
	}
}

// unreadBody is a request body that records whether it was read.
type unreadBody struct{ read bool }

func (b *unreadBody) Read(p []byte) (int, error) {
	b.read = true
	return copy(p, specBody), io.EOF
}

func (b *unreadBody) Close() error { return nil }

// VerifyRequest checks the headers before it reads the body: a request
// that is not signed, or signed too long ago, is refused for that (not
// for a body too large), without the receiver reading up to its limit of
// a body it will not take, nor waiting for a slow client to send it.
func TestVerifyRequestChecksHeadersFirst(t *testing.T) {
	stale := specHeader(specSignature)
	stale.Set(HeaderTimestamp, strconv.Itoa(specTimestamp-3600))
	tests := []struct {
		name   string
		v      *Verifier
		header http.Header
		want   error
	}{
		{"no headers", specVerifier(t, redact.NewSecret(specSecret)), http.Header{}, ErrMissingHeaders},
		{"no signature", specVerifier(t, redact.NewSecret(specSecret)), specHeader(""), ErrMissingHeaders},
		{"stale timestamp", specVerifier(t, redact.NewSecret(specSecret)), stale, ErrTimestamp},
		{"zero Verifier", &Verifier{}, specHeader(specSignature), ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &unreadBody{}
			r := httptest.NewRequest(http.MethodPost, "/hook", body)
			r.Header = tt.header
			_, err := tt.v.VerifyRequest(r, 1)
			assert.ErrorIs(t, err, tt.want)
			assert.False(t, body.read, "body read")
		})
	}
}

// Standard Webhooks signs "id.timestamp.body", and so forbids "." in an
// id (spec/standard-webhooks.md, "webhook-id"): with one, the signature of
// a delivery would also be that of another, its id cut at a dot and the
// rest read as timestamp and body. Sign refuses such an id, and an empty
// one, naming id.
func TestSignRefusesAnIDWithADot(t *testing.T) {
	for _, id := range []string{"msg.1", "", "a.b.c"} {
		_, err := Sign(redact.NewSecret(specSecret), id, specTimestamp, []byte(specBody))
		require.Error(t, err, "%q", id)
		assert.Contains(t, err.Error(), "webhook: Sign: id: ")
		assert.NotContains(t, err.Error(), specSecret)
	}
	_, err := Sign(redact.NewSecret(specSecret), specID, specTimestamp, []byte(specBody))
	require.NoError(t, err)
}
