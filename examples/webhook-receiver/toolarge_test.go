package main

import (
	"bufio"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A body over the limit is refused with an answer that says what the
// limit is, so that the sender's error ("HTTP 413: …") tells its
// operator how large a delivery may be, not only that one was too large.
func TestBodyTooLargeNamesTheLimit(t *testing.T) {
	for _, tt := range []struct {
		name   string
		length int64 // the Content-Length sent; -1: none (chunked)
	}{
		{"Content-Length", maxBody + 1},
		{"chunked", -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr := serve(t, defaultTimeouts)
			client := &http.Client{Timeout: testDeadline}
			defer client.CloseIdleConnections()
			req, err := http.ReadRequest(bufio.NewReader(strings.NewReader("POST / HTTP/1.1\r\nHost: receiver\r\n" + signedHead() + "\r\n")))
			require.NoError(t, err)
			req.RequestURI, req.URL = "", &url.URL{Scheme: "http", Host: addr, Path: "/"}
			req.Body, req.ContentLength = io.NopCloser(strings.NewReader(strings.Repeat("x", maxBody+1))), tt.length
			resp, err := client.Do(req)
			require.NoError(t, err)
			got, _ := io.ReadAll(resp.Body) // the server may hang up before the whole answer is read
			resp.Body.Close()
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
			assert.Contains(t, string(got), "larger than 1 MiB")
		})
	}
}
