package webhook

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A request without a body (http.NewRequest with a nil body, as a
// receiver's test or an adapter from another server framework builds one)
// is a delivery of an empty body: VerifyRequest checks it as such rather
// than panic reading a nil Body.
func TestVerifyRequestWithoutBody(t *testing.T) {
	sig, err := Sign(redact.NewSecret(specSecret), specID, specTimestamp, nil)
	require.NoError(t, err)
	for name, h := range map[string]http.Header{"signed empty": specHeader(sig), "signed other": specHeader(specSignature)} {
		t.Run(name, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodPost, "http://receiver.example/hook", nil)
			require.NoError(t, err)
			require.Nil(t, r.Body)
			r.Header = h
			var body []byte
			require.NotPanics(t, func() { body, err = specVerifier(t, redact.NewSecret(specSecret)).VerifyRequest(r, 0) })
			assert.Empty(t, body)
			if name == "signed empty" {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrSignature)
			}
		})
	}
}

// WithTolerance of a nil Verifier (NewVerifier's result beside an error)
// is a Verifier that refuses every delivery, as the nil Verifier does,
// not a panic.
func TestNilVerifierWithTolerance(t *testing.T) {
	var v *Verifier
	var w *Verifier
	require.NotPanics(t, func() { w = v.WithTolerance(time.Minute) })
	h := specHeader(specSignature)
	h.Set(HeaderTimestamp, strconv.FormatInt(time.Now().Unix(), 10))
	assert.ErrorIs(t, w.Verify(h, []byte(specBody)), ErrSignature)
}

// A delivery missing a webhook-* header is refused with an error that
// names the headers absent: a proxy that drops one, or a sender that
// spells it otherwise, is found from the receiver's log.
func TestMissingHeadersNamed(t *testing.T) {
	tests := []struct {
		name   string
		drop   []string
		absent string
	}{
		{"id", []string{HeaderID}, "webhook-id"},
		{"timestamp", []string{HeaderTimestamp}, "webhook-timestamp"},
		{"signature", []string{HeaderSignature}, "webhook-signature"},
		{"all", []string{HeaderID, HeaderTimestamp, HeaderSignature}, "webhook-id, webhook-timestamp, webhook-signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := specHeader(specSignature)
			for _, k := range tt.drop {
				h.Del(k)
			}
			err := specVerifier(t, redact.NewSecret(specSecret)).Verify(h, []byte(specBody))
			require.ErrorIs(t, err, ErrMissingHeaders)
			assert.True(t, strings.HasSuffix(err.Error(), ": absent: "+tt.absent), err.Error())
		})
	}
}

// RefusalStatus tells a refusal the sender should give up on (a bad
// signature) from a body that did not arrive whole, which it should retry.
func TestRefusalStatus(t *testing.T) {
	v := specVerifier(t, redact.NewSecret(specSecret))
	unsigned := specHeader(specSignature)
	unsigned.Del(HeaderSignature)
	for _, tt := range []struct {
		name   string
		header http.Header
		body   io.Reader
		want   int
	}{
		{"signed", specHeader(specSignature), strings.NewReader(specBody), http.StatusOK},
		{"bad signature", specHeader(specSignature), strings.NewReader(specBody + " "), http.StatusUnauthorized},
		{"unsigned", unsigned, strings.NewReader(specBody), http.StatusUnauthorized},
		{"too large", specHeader(specSignature), strings.NewReader(strings.Repeat("x", 2<<20)), http.StatusRequestEntityTooLarge},
		{"cut short", specHeader(specSignature), iotest.ErrReader(io.ErrUnexpectedEOF), http.StatusRequestTimeout},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/hook", tt.body)
			r.Header = tt.header
			_, err := v.VerifyRequest(r, 0)
			assert.Equal(t, tt.want, RefusalStatus(err), "%v", err)
		})
	}
	old := specHeader(specSignature)
	old.Set(HeaderTimestamp, strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10))
	assert.Equal(t, http.StatusUnauthorized, RefusalStatus(v.WithTolerance(time.Minute).Verify(old, []byte(specBody))))
	assert.Equal(t, http.StatusRequestEntityTooLarge, RefusalStatus(fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 1})))
}

// A receiver whose Verifier has no secret (one that did not load) answers
// 500, which the sender retries, not 401, which would lose every delivery
// until the receiver is fixed.
func TestRefusalStatusOfAVerifierWithoutSecret(t *testing.T) {
	for _, v := range []*Verifier{nil, {}} {
		r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(specBody))
		r.Header = specHeader(specSignature)
		_, err := v.VerifyRequest(r, 0)
		assert.ErrorIs(t, err, ErrSignature)
		assert.ErrorIs(t, err, ErrNoSecret)
		assert.Equal(t, http.StatusInternalServerError, RefusalStatus(err))
	}
}

// A timestamp outside the tolerance is refused with an error that says
// which way it is off and by how much, rounded to the second: a
// timestamp in the future means the sender's clock is ahead of the
// receiver's; one in the past, behind it (or a delivery held up, or
// replayed). It still matches ErrTimestamp, and is answered 401.
func TestTimestampErrorSaysWhichWay(t *testing.T) {
	now := time.Unix(1_700_000_000, 600*int64(time.Millisecond))
	tests := []struct {
		name string
		skew int64 // seconds of webhook-timestamp from now's whole second
		msg  string
	}{
		{"past", -3600, "webhook: webhook-timestamp outside the tolerance: " +
			"1h0m1s in the past (tolerance 5m0s): the sender's clock is behind, or the delivery was held up or replayed"},
		{"future", 362, "webhook: webhook-timestamp outside the tolerance: " +
			"6m1s in the future (tolerance 5m0s): the sender's clock is ahead"},
		// A sender that writes milliseconds is told so, not that its
		// clock is 2562047h47m16s (where Sub saturates) ahead.
		{"milliseconds", 1_700_000_000_600 - 1_700_000_000, "webhook: webhook-timestamp outside the tolerance: " +
			"1700000000600 is the time in milliseconds; Standard Webhooks wants seconds"},
		{"far future", 1 << 40, "webhook: webhook-timestamp outside the tolerance: " +
			"more than 2562047h0m0s in the future (tolerance 5m0s): the sender's clock is ahead"},
		{"far past", -(1 << 40), "webhook: webhook-timestamp outside the tolerance: " +
			"more than 2562047h0m0s in the past (tolerance 5m0s): the sender's clock is behind, or the delivery was held up or replayed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := now.Unix() + tt.skew
			sig, err := Sign(redact.NewSecret(specSecret), specID, ts, []byte(specBody))
			require.NoError(t, err)
			h := specHeader(sig)
			h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
			v := specVerifier(t, redact.NewSecret(specSecret))
			v.now = func() time.Time { return now }
			err = v.Verify(h, []byte(specBody))
			require.ErrorIs(t, err, ErrTimestamp)
			assert.Equal(t, tt.msg, err.Error())
			assert.Equal(t, http.StatusUnauthorized, RefusalStatus(err))
		})
	}
}

// The signed content is "id.timestamp.body": with a "." in webhook-id it
// reads two ways. A signature made for the id "msg_1.1700000000", the
// timestamp 1700000001 and a body B is also the signature of the id
// "msg_1", the timestamp 1700000000 and the body "1700000001.B", so a
// delivery signed by a sender that allows such ids could be replayed as
// another. Standard Webhooks forbids the "." (Sign refuses it); Verify
// refuses such an id too, naming the header, before the body is read.
func TestVerifyRefusesDottedID(t *testing.T) {
	key, err := decodeSecret(redact.NewSecret(specSecret))
	require.NoError(t, err)
	now := time.Unix(1_700_000_000, 0)
	id := "msg_1." + strconv.FormatInt(now.Unix(), 10)
	ts := now.Unix() + 1
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, sign(key, id, ts, []byte(specBody)))
	v := specVerifier(t, redact.NewSecret(specSecret))
	v.now = func() time.Time { return now }

	err = v.Verify(h, []byte(specBody))
	require.ErrorIs(t, err, ErrInvalidID)
	assert.Equal(t, `webhook: webhook-id holds a ".", which Standard Webhooks forbids: the signed "id.timestamp.body" would read two ways`, err.Error())
	assert.Equal(t, http.StatusUnauthorized, RefusalStatus(err))

	r := httptest.NewRequest(http.MethodPost, "/hook", iotest.ErrReader(io.ErrUnexpectedEOF))
	r.Header = h
	_, err = v.VerifyRequest(r, 0)
	assert.ErrorIs(t, err, ErrInvalidID, "refused before the body is read")

	_, err = Sign(redact.NewSecret(specSecret), id, ts, []byte(specBody))
	assert.Error(t, err, "the sender refuses it alike")
}
