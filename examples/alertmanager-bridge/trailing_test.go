package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A body over -max-body is refused with 413 wherever it crosses the
// limit: past the notification's closing brace too, where the bridge
// reads on to make sure nothing follows. It is not a body that "did not
// arrive whole" (503), which Alertmanager would send again, as large.
func TestOversizedAfterTheObjectIsTooLarge(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	h := srv.Config.Handler
	pad := bytes.Repeat([]byte(" "), defaultMaxBody)
	// No Content-Length (sent chunked): only reading finds the size.
	body := io.MultiReader(bytes.NewReader(sample(t, "firing.json")), bytes.NewReader(pad))
	req := jsonRequest(body)
	req.ContentLength = -1
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "-max-body")
	assert.Empty(t, ch.sent())
}
