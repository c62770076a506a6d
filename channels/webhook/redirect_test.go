package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// An endpoint that answers a redirect fails permanently, naming the
// redirect, and the signed payload never reaches the Location: with the
// channel's own client, and with a client given in Config that would
// follow it (as http.Client does by default for 307 and 308, body and
// all). The given client is left as it was, and still sends the requests.
func TestRedirectNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(other.Close)
	const pathToken = "REDIRECTPATHTOKEN42"

	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/moved/"+pathToken+"?token="+pathToken, status)
		}))
		t.Cleanup(srv.Close)
		ep := Endpoint{URL: redact.NewURL(srv.URL + "/hooks/" + pathToken), Secret: testSecret("redirect")}

		var sent atomic.Int32 // requests through the given client's Transport
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		given := &http.Client{Timeout: 5 * time.Second, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent.Add(1)
			return tr.RoundTrip(r)
		})}

		clients := map[string]*http.Client{"default": nil, "given": given}
		for name, client := range clients {
			t.Run(http.StatusText(status)+"/"+name, func(t *testing.T) {
				sent.Store(0)
				elsewhere.Store(0)
				ch := newTestChannel(t, Config{URL: ep.URL, Secret: ep.Secret, HTTPClient: client}, nil)
				_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
				require.Error(t, err, "a redirect is not a delivery")
				assert.True(t, broadcast.IsPermanent(err), "a misconfigured URL is not retried: %v", err)
				var te *broadcast.TargetsError
				require.ErrorAs(t, err, &te)
				require.Len(t, te.Failures, 1)
				assert.Equal(t, status, StatusCode(te.Failures[0].Err), "StatusCode finds the redirect's status")
				assert.Contains(t, err.Error(), "redirect to "+other.URL+"/…?… not followed", "the error names the redirect")
				assert.NotContains(t, err.Error(), pathToken)
				assert.Zero(t, elsewhere.Load(), "the payload reached the redirect's Location")
				if client != nil {
					assert.Equal(t, int32(1), sent.Load(), "the given client's Transport sends the request")
					assert.Nil(t, client.CheckRedirect, "the given client is left as it was")
				}
			})
		}
	}
}

// A redirect to a relative Location is named by the URL it resolves to.
func TestRedirectRelativeLocation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/new") {
			t.Error("the redirect was followed")
		}
		w.Header().Set("Location", "/new/place")
		w.WriteHeader(http.StatusPermanentRedirect)
	}))
	t.Cleanup(srv.Close)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	ch := newTestChannel(t, Config{URL: redact.NewURL(srv.URL + "/hook"), AllowUnsigned: true, HTTPClient: client}, nil)
	_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "redirect to "+srv.URL+"/…")
}

// A 308 whose body names the Location (as many frameworks and proxies
// write it): the Location's query token, which is no part of the
// endpoint's URL, reaches no error.
func TestRedirectBodyIsNotQuoted(t *testing.T) {
	const tok = "sess-4f9a1c77e2b04d"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loc := "https://login.example.net/sso/callback?session=" + tok
		w.Header().Set("Location", loc)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusPermanentRedirect)
		_, _ = w.Write([]byte("Permanent Redirect. Redirecting to " + loc))
	}))
	t.Cleanup(srv.Close)
	ch := newTestChannel(t, Config{URL: redact.NewURL(srv.URL + "/hook"), AllowUnsigned: true}, nil)
	_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), tok)
	assert.Contains(t, err.Error(), "redirect to https://login.example.net/")
}
