package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A signed delivery with an empty body says so, not encoding/json's
// "unexpected end of JSON input", which reads as a body cut short.
func TestEmptyBodySaysSo(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)
	for _, body := range []string{"", " \r\n"} {
		code, text := signedPost(t, srv, "msg_e", []byte(body))
		assert.Equal(t, http.StatusBadRequest, code)
		assert.Equal(t, "malformed payload: empty body, want a JSON object\n", text, "%q", body)
	}
	assert.Empty(t, out.String())
	assert.NotContains(t, log.String(), "unexpected end")
}
