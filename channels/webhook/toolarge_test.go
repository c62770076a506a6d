package webhook

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A signed request whose Content-Length already says its body is over the
// limit is refused from that header alone: the receiver neither reads up
// to its limit of a body it will not take nor waits for a slow client to
// send it.
func TestVerifyRequestRefusesDeclaredLengthUnread(t *testing.T) {
	body := &unreadBody{}
	r := httptest.NewRequest(http.MethodPost, "/hook", body)
	r.Header = specHeader(specSignature)
	r.ContentLength = int64(len(specBody)) + 1
	_, err := specVerifier(t, redact.NewSecret(specSecret)).VerifyRequest(r, int64(len(specBody)))
	assert.ErrorIs(t, err, ErrBodyTooLarge)
	assert.Equal(t, http.StatusRequestEntityTooLarge, RefusalStatus(err))
	assert.False(t, body.read, "body read")
}

// A body too large is refused with an error that says the limit, in bytes,
// and what sets it (VerifyRequest's limit; no Config field does), whether
// Content-Length told it, the body ran past the limit (chunked), or the
// receiver's own http.MaxBytesReader stopped it first.
func TestBodyTooLargeSaysTheLimit(t *testing.T) {
	tests := []struct {
		name   string
		limit  int64
		length int64 // Content-Length; -1: unknown (chunked)
		max    int64 // http.MaxBytesReader's limit, or 0: none
		want   string
	}{
		{"Content-Length", 10, 11, 0, "more than 10 bytes, the limit given to VerifyRequest"},
		{"chunked", 10, -1, 0, "more than 10 bytes, the limit given to VerifyRequest"},
		{"default limit", 0, -1, 0, "more than 1048576 bytes, the limit given to VerifyRequest"},
		{"MaxBytesReader", 100, -1, 5, "more than 5 bytes, the limit of http.MaxBytesReader"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(strings.Repeat("x", 1<<20+1)))
			r.Header = specHeader(specSignature)
			r.ContentLength = tt.length
			if tt.max > 0 {
				r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, tt.max)
			}
			_, err := specVerifier(t, redact.NewSecret(specSecret)).VerifyRequest(r, tt.limit)
			require.ErrorIs(t, err, ErrBodyTooLarge)
			assert.Equal(t, http.StatusRequestEntityTooLarge, RefusalStatus(err))
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
