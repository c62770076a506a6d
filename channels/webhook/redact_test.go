package webhook

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
)

// Header values configured in the tests below, and what of them must
// never show: "s3cr" is the start of the token, which a cut could leave.
const (
	hookToken = "s3cr3t/t0k+en"
	hookKey   = "key-12345"
)

var (
	hookHeaders = map[string]redact.Secret{"Authorization": redact.NewSecret("Bearer " + hookToken), "X-Api-Key": redact.NewSecret(hookKey), "X-Shard": redact.NewSecret("eu1")}
	hookLeaks   = []string{hookToken, hookKey, "s3cr", url.QueryEscape(hookToken)}
)

// echoing answers status with a body built from the request's headers, as
// receivers that quote what they got in their errors do.
func echoing(status int, body func(h http.Header) string) behaviour {
	return func(_ int, w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body(r.Header))
		return false
	}
}

// phpJSON encodes v as PHP's json_encode does, "/" escaped.
func phpJSON(v any) string {
	b, _ := json.Marshal(v)
	return strings.ReplaceAll(string(b), "/", `\/`)
}

// reported returns printed(err), and the ways a caller may print each
// failure ledger holds.
func reported(err error, ledger *channeltest.Ledger) []string {
	texts := printed(err)
	for _, ferr := range ledger.Failed() {
		texts = append(texts, fmt.Sprintf("%v", ferr), fmt.Sprintf("%+v", ferr), fmt.Sprintf("%#v", ferr))
	}
	return texts
}

// printed returns the ways a caller may print err and what it wraps.
func printed(err error) []string {
	texts := []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
	var te *broadcast.TargetsError
	if errors.As(err, &te) {
		texts = append(texts, fmt.Sprintf("%#v", te), fmt.Sprintf("%+v", te.Failures), fmt.Sprintf("%#v", te.Failures),
			fmt.Sprintf("%+v", te.Pending), fmt.Sprintf("%#v", te.Pending))
		for _, f := range slices.Concat(te.Failures, te.Pending) {
			texts = append(texts, printed(f.Err)...)
		}
	}
	var st *httpx.StatusError
	if errors.As(err, &st) {
		texts = append(texts, st.Snippet, fmt.Sprintf("%#v", st))
	}
	var de *broadcast.DeliveryError
	if errors.As(err, &de) {
		texts = append(texts, fmt.Sprintf("%v", de), fmt.Sprintf("%+v", de), fmt.Sprintf("%#v", de))
	}
	return texts
}

func assertNoHeaderValue(t *testing.T, texts []string) {
	t.Helper()
	for _, text := range texts {
		for _, leak := range hookLeaks {
			assert.NotContains(t, text, leak)
		}
	}
}

func TestErrorsHideHeaderValues(t *testing.T) {
	tests := []struct {
		name string
		body func(h http.Header) string
		keep string // what the error does show
	}{
		{"value quoted", func(h http.Header) string {
			return fmt.Sprintf("unauthorized: Authorization %q, X-Api-Key %q", h.Get("Authorization"), h.Get("X-Api-Key"))
		}, `unauthorized: Authorization "REDACTED", X-Api-Key "REDACTED"`},
		{"token alone", func(h http.Header) string {
			return "invalid token " + strings.TrimPrefix(h.Get("Authorization"), "Bearer ")
		}, "invalid token"},
		{"in JSON with / escaped", func(h http.Header) string {
			return phpJSON(map[string]string{"error": "forbidden", "authorization": h.Get("Authorization"), "key": h.Get("X-Api-Key")})
		}, `"error":"forbidden"`},
		{"query escaped", func(h http.Header) string {
			return "see token=" + url.QueryEscape(strings.TrimPrefix(h.Get("Authorization"), "Bearer "))
		}, "see token="},
		{"split over lines", func(h http.Header) string {
			return strings.Replace(h.Get("Authorization"), " ", "\r\n\t", 1) + "\nis not valid"
		}, "is not valid"},
		{"at the snippet's cut", func(h http.Header) string {
			// The snippet keeps SnippetLimit-3 bytes: "s3cr" would be its end.
			return strings.Repeat("x", httpx.SnippetLimit-3-len(" Bearer s3cr")) + " " + h.Get("Authorization")
		}, "xxxxx"},
		{"short values kept", func(h http.Header) string { return "shard " + h.Get("X-Shard") + " is read-only" }, "shard eu1 is read-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t)
			rc.on("/hook", echoing(http.StatusBadRequest, tt.body))
			ep := rc.endpoint("/hook")
			ch := newTestChannel(t, Config{URL: ep.URL, Secret: ep.Secret, Headers: hookHeaders}, nil)
			ledger := channeltest.NewLedger()
			_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err))
			assert.Contains(t, err.Error(), "http status 400 Bad Request: ")
			assert.Contains(t, err.Error(), tt.keep)
			var te *broadcast.TargetsError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, http.StatusBadRequest, StatusCode(te.Failures[0].Err), "the status error is still found")
			assertNoHeaderValue(t, reported(err, ledger))
		})
	}
}

func TestBroadcasterErrorsHideHeaderValues(t *testing.T) {
	rc := newReceiver(t)
	rc.on("/rejects", echoing(http.StatusBadRequest, func(h http.Header) string {
		return phpJSON(map[string]string{"error": "bad request", "got": h.Get("Authorization") + " " + h.Get("X-Api-Key")})
	}))
	rc.on("/busy", echoing(http.StatusServiceUnavailable, func(h http.Header) string {
		return "overloaded, retry with " + h.Get("Authorization")
	}))
	ch, err := New(Config{Endpoints: []Endpoint{rc.endpoint("/rejects"), rc.endpoint("/busy")}, Headers: hookHeaders})
	require.NoError(t, err)
	var mu sync.Mutex
	var events []broadcast.Event
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
		Retry: broadcast.RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond},
		OnEvent: func(e broadcast.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	rep, err := b.Send(context.Background(), sent)
	require.Error(t, err)
	var de *broadcast.DeliveryError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 2, de.Attempts)
	assert.Contains(t, de.Error(), "http status 503 Service Unavailable: overloaded, retry with ")
	texts := printed(err)
	texts = append(texts, printed(rep.Results[0].Err)...)
	texts = append(texts, fmt.Sprintf("%+v", rep.Results[0].Failures), fmt.Sprintf("%#v", rep.Results[0].Failures))
	require.Len(t, rep.Results[0].Failures, 1, "the 400 endpoint failed permanently")
	texts = append(texts, printed(rep.Results[0].Failures[0].Err)...)
	mu.Lock()
	for _, e := range events {
		if e.Err != nil {
			texts = append(texts, printed(e.Err)...)
		}
	}
	mu.Unlock()
	assertNoHeaderValue(t, texts)

	previews, err := b.Preview(sent)
	require.NoError(t, err)
	require.Len(t, previews, 1)
	assertNoHeaderValue(t, []string{previews[0].Text})
}

// A Basic credential in Config.Headers is redacted however a receiver
// echoes it: the header as sent, the decoded "user:password", the
// password alone.
func TestErrorsHideBasicHeader(t *testing.T) {
	const user, password = "ops", "hunter2-pw"
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	rc := newReceiver(t)
	rc.on("/hook", echoing(http.StatusUnauthorized, func(h http.Header) string {
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h.Get("Authorization"), "Basic "))
		return fmt.Sprintf("got %s, that is %s; password %s refused", h.Get("Authorization"), raw, password)
	}))
	ep := rc.endpoint("/hook")
	ch := newTestChannel(t, Config{URL: ep.URL, Secret: ep.Secret,
		Headers: map[string]redact.Secret{"Authorization": redact.NewSecret(basic)}}, nil)
	_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "http status 401 Unauthorized: got REDACTED, that is ")
	for _, text := range printed(err) {
		channeltest.AssertNoSecret(t, text, password, basic)
	}
}

// A whsec_ secret written without base64 padding signs as the padded one
// does; a receiver echoing the key it decoded from it, in hex or in padded
// base64, has that echo redacted all the same.
func TestErrorsHideKeyOfUnpaddedSecret(t *testing.T) {
	raw := []byte("unpadded-signing-key-0123456789!") // 32 bytes: padded base64 ends in "="
	secret := redact.NewSecret("whsec_" + base64.RawStdEncoding.EncodeToString(raw))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "signature mismatch: key hex "+hex.EncodeToString(raw)+
			" key "+base64.StdEncoding.EncodeToString(raw), http.StatusUnauthorized)
	}))
	defer srv.Close()
	ch := newTestChannel(t, Config{URL: redact.NewURL(srv.URL + "/hook"), Secret: secret}, nil)
	ledger := channeltest.NewLedger()
	_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "signature mismatch: key hex")
	for _, text := range reported(err, ledger) {
		channeltest.AssertNoSecret(t, text, string(raw), secret.Reveal())
	}
}

// A secret written without its whsec_ prefix is redacted as the prefixed
// one is: a receiver echoing it, the key it decodes to (in hex or base64)
// or its prefixed form has that echo redacted. Before, the channel took
// it as it was written, and a Redactor knows a Standard Webhooks secret
// by its prefix only, so the key's bytes showed.
func TestErrorsHideKeyOfSecretWithoutPrefix(t *testing.T) {
	raw := []byte("bare-signing-key-0123456789abcde") // 32 bytes
	bare := base64.StdEncoding.EncodeToString(raw)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "signature mismatch: key "+string(raw)+" hex "+hex.EncodeToString(raw)+
			" as whsec_"+bare+" raw "+base64.RawStdEncoding.EncodeToString(raw), http.StatusUnauthorized)
	}))
	defer srv.Close()
	ch := newTestChannel(t, Config{URL: redact.NewURL(srv.URL + "/hook"), Secret: redact.NewSecret(bare)}, nil)
	ledger := channeltest.NewLedger()
	_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "signature mismatch: key")
	for _, text := range reported(err, ledger) {
		channeltest.AssertNoSecret(t, text, string(raw), bare)
	}
}
