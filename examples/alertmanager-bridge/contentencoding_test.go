package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Content-Encoding is a list that may come in several field lines (RFC
// 9110, 5.3 and 8.4): "identity" then "gzip" is a gzip body. Only the
// first line was looked at, so such a body was decoded as JSON and
// answered 400 "invalid character", not 415 naming the coding.
func TestContentEncodingOnEveryLine(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err := zw.Write(sample(t, "firing.json"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/alerts", bytes.NewReader(gz.Bytes()))
	require.NoError(t, err)
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["Content-Encoding"] = []string{"identity", "gzip"}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode, string(body))
	assert.Contains(t, string(body), `"gzip"`)
	assert.Equal(t, "identity", resp.Header.Get("Accept-Encoding"))
	assert.Empty(t, ch.sent())
}
