package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/examples/internal/serverlimits/serverlimitstest"
)

// A request refused for its credentials is answered before its body is
// read, as the package doc says, and its connection closed: the server
// would otherwise wait for the body it announced, up to 256 KiB of it,
// before answering, so that a client without credentials that never sends
// it holds a connection until the server's ReadTimeout.
func TestRefusedCredentialsAnsweredBeforeTheBody(t *testing.T) {
	t.Setenv(tokensEnv, bridgeToken)
	url, _, _ := start(t, "-listen", "127.0.0.1:0")
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/alerts")
	serverlimitstest.AnsweredBeforeBody(t, addr, "POST /alerts HTTP/1.1\r\nHost: bridge\r\n", http.StatusUnauthorized)
}

// A request the bridge refuses for its method or its path is answered at
// once and its connection closed, as one refused for its credentials:
// the server would otherwise read the body it announced, up to 256 KiB,
// before answering, so that a client that never sends it held the
// connection until the 42s ReadTimeout, and at Ctrl-C held the shutdown
// as long.
func TestRefusedMethodOrPathAnsweredBeforeTheBody(t *testing.T) {
	url, _, _ := start(t, "-listen", "127.0.0.1:0")
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/alerts")
	for _, c := range []struct {
		request string
		code    int
	}{
		{"PUT /alerts", http.StatusMethodNotAllowed},
		{"GET /alerts", http.StatusMethodNotAllowed},
		{"POST /healthz", http.StatusMethodNotAllowed},
		{"POST /alert", http.StatusNotFound},
	} {
		t.Run(c.request, func(t *testing.T) {
			serverlimitstest.AnsweredBeforeBody(t, addr, c.request+" HTTP/1.1\r\nHost: bridge\r\n", c.code)
		})
	}
}

// A notification refused for its Content-Type (a browser's text/plain or
// form POST) or its Content-Encoding is answered before its body is read,
// and its connection closed, as one refused for its credentials.
func TestRefusedContentTypeAnsweredBeforeTheBody(t *testing.T) {
	url, _, _ := start(t, "-listen", "127.0.0.1:0")
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/alerts")
	for _, header := range []string{
		"Content-Type: text/plain\r\n",
		"Content-Type: application/x-www-form-urlencoded\r\n",
		"Content-Type: application/json\r\nContent-Encoding: gzip\r\n",
	} {
		t.Run(header, func(t *testing.T) {
			serverlimitstest.AnsweredBeforeBody(t, addr, "POST /alerts HTTP/1.1\r\nHost: bridge\r\n"+header, http.StatusUnsupportedMediaType)
		})
	}
}
