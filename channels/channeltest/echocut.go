package channeltest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// AssertEchoAtTheCutRedacted checks that a credential a back end quotes in
// an error answer leaves no part of itself in the channel's error when the
// quote falls where the error's snippet of the answer is cut (the first
// 512 bytes), as it would if the answer were cut before it is redacted.
// The back end answers status with an HTML page of padding, then echo(r)
// of the request it got (its Authorization header, its path, its query);
// the padding moves the quote across the cut, a channel (made by
// newChannel for the back end's URL) per position, each request of its Send
// padded alike. With a 2xx status the page is another server's
// (FailForeign), which the channel must refuse too: httpx leaves a 2xx
// unredacted. secret is the credential; none of its first 12 bytes may
// show.
func AssertEchoAtTheCutRedacted(t *testing.T, status int, echo func(r *http.Request) string, secret string,
	newChannel func(baseURL string) (broadcast.Channel, error)) {
	t.Helper()
	var pad atomic.Int64 // of the attempt under way, for each of its requests
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, strings.Repeat("x", int(pad.Load()))+" "+echo(r)+" refused")
	}))
	defer srv.Close()
	prefix := secret[:min(12, len(secret))]
	for n := httpx.SnippetLimit - 3*len(secret); n <= httpx.SnippetLimit; n += 5 {
		pad.Store(int64(max(n, 0)))
		sendHidesPrefix(t, newChannel, srv.URL, prefix, fmt.Sprintf("%d bytes before the quote", n))
	}
}

// AssertCutAnswerHidesSecretHead checks that an answer the channel reads
// only up to limit bytes (its read limit), cut where it quotes the start of
// a credential, leaves no part of it in the channel's error. The back end
// answers status, with contentType, the body head, a run of blanks, then
// secret, so that the first bytes of secret (12 of them, then all but its
// last) end the part the channel reads: the error's snippet folds the
// blanks into one space, and a snippet redacted as a whole text would show
// them, unable to tell the start of a secret from other text (see
// redact.Redactor.Truncated). head makes the answer one the channel
// refuses: another server's page, a refusal a platform words in a 2xx. A
// channel (made by newChannel for the back end's URL) sends an update for
// each cut, each of its requests answered alike; none of the first 12
// bytes of secret may show in its error.
func AssertCutAnswerHidesSecretHead(t *testing.T, status int, contentType, head string, limit int, secret string,
	newChannel func(baseURL string) (broadcast.Channel, error)) {
	t.Helper()
	var kept atomic.Int64 // bytes of secret the cut keeps, for the send under way
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		k := int(kept.Load())
		_, _ = io.WriteString(w, head+strings.Repeat(" ", max(limit-len(head)-k, 1))+secret+" end")
	}))
	defer srv.Close()
	prefix := secret[:min(12, len(secret))]
	for _, k := range []int{len(prefix), len(secret) - 1} {
		kept.Store(int64(k))
		sendHidesPrefix(t, newChannel, srv.URL, prefix, fmt.Sprintf("cut after %d bytes of the secret", k))
	}
}

// sendHidesPrefix sends an update through a channel newChannel makes for
// baseURL, and fails the test, saying what, unless Send fails with an
// error that does not hold prefix, the start of a secret.
func sendHidesPrefix(t *testing.T, newChannel func(baseURL string) (broadcast.Channel, error), baseURL, prefix, what string) {
	t.Helper()
	ch, err := newChannel(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{IncidentID: "inc-1",
		Title: "API down", Status: broadcast.StatusInvestigating, Body: "Errors."}))
	if c, ok := broadcast.As[io.Closer](ch); ok {
		_ = c.Close()
	}
	if err == nil {
		t.Fatalf("%s: want an error", what)
	}
	if strings.Contains(err.Error(), prefix) {
		t.Fatalf("%s: the error holds the start of the secret: %v", what, err)
	}
}
