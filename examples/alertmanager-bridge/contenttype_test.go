package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonRequest is a POST of body to /alerts, as Alertmanager sends it.
func jsonRequest(body io.Reader) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/alerts", body)
	r.Header.Set("Content-Type", "application/json")
	return r
}

// Alertmanager posts its notifications as application/json (its notify
// package's PostJSON). A web page can send a browser's POST with another
// Content-Type (text/plain, a form's, none) to any address without asking
// first (no CORS preflight), and a bridge without credentials, listening
// on loopback as by default, broadcast such a body to every channel: a
// page open on the bridge's machine could post an outage. It is refused
// (415) before its body is read, and so is a compressed body, which
// Alertmanager never sends.
func TestContentTypeMustBeJSON(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	send := func(header http.Header) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/alerts", bytes.NewReader(sample(t, "firing.json")))
		require.NoError(t, err)
		req.Header = header
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(data)
	}
	for _, ct := range []string{"", "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "application/jsonx", "application/json; charset"} {
		code, body := send(http.Header{"Content-Type": {ct}})
		assert.Equal(t, http.StatusUnsupportedMediaType, code, "Content-Type %q", ct)
		assert.Contains(t, body, "Content-Type: want application/json", "Content-Type %q", ct)
	}
	code, body := send(http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}})
	assert.Equal(t, http.StatusUnsupportedMediaType, code)
	assert.Contains(t, body, `Content-Encoding: "gzip": not taken`)
	assert.Empty(t, ch.sent(), "nothing refused is posted")

	for _, ct := range []string{"application/json", "Application/JSON; charset=utf-8"} {
		code, _ := send(http.Header{"Content-Type": {ct}, "Content-Encoding": {"identity"}})
		assert.Equal(t, http.StatusOK, code, "Content-Type %q", ct)
	}
	assert.Len(t, ch.sent(), 1)
}
