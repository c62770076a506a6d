package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/redact"
)

// result is one run of the program.
type result struct {
	code           int
	stdout, stderr string
}

// announce runs the program in-process.
func announce(t *testing.T, ctx context.Context, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// writeConfig writes a configuration file and returns its path.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "outagecast.yaml")
	require.NoError(t, os.WriteFile(path, []byte(yaml), 0o600))
	return path
}

// fastRetry makes retries quick in test configurations.
const fastRetry = "retry: {max_attempts: 3, initial_interval: 1ms, max_interval: 2ms}\n"

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// hookReceiver is a webhook endpoint that verifies signatures and records
// the updates; status, if set, answers instead.
type hookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	received []webhook.Data
	status   int    // answer with this status instead of 204
	reply    string // body of that answer
	hits     int    // requests received
}

func newHookReceiver(t *testing.T) *hookReceiver {
	v, err := webhook.NewVerifier(redact.NewSecret(testSecret))
	require.NoError(t, err)
	h := &hookReceiver{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := v.VerifyRequest(r, 1<<20)
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		h.hits++
		if h.status != 0 {
			http.Error(w, h.reply, h.status)
			return
		}
		var p webhook.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.received = append(h.received, p.Data)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) updates() []webhook.Data {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]webhook.Data(nil), h.received...)
}

func (h *hookReceiver) requests() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits
}

func (h *hookReceiver) fail(status int, reply string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status, h.reply = status, reply
}

// fakeX mimics the X API v2: POST /2/tweets (a post, or an edit with
// edit_options, which makes a new version with an id of its own) and GET
// /2/users/me, with its answers' shapes.
type fakeX struct {
	*httptest.Server
	mu           sync.Mutex
	posts        []xPost
	minted       int
	unauthorized bool
	noEdits      bool // refuse edits, as for an account that may not edit
}

type xPost struct {
	ID, Text, ReplyTo string
}

func newFakeX(t *testing.T) *fakeX {
	x := &fakeX{}
	x.Server = httptest.NewServer(http.HandlerFunc(x.serve))
	t.Cleanup(x.Close)
	return x
}

func (x *fakeX) serve(w http.ResponseWriter, r *http.Request) {
	x.mu.Lock()
	defer x.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if x.unauthorized || !strings.HasPrefix(r.Header.Get("Authorization"), "OAuth ") {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/2/users/me":
		io.WriteString(w, `{"data":{"id":"2244994945","name":"Example Status","username":"examplestatus"}}`)
	case r.Method == http.MethodPost && r.URL.Path == "/2/tweets":
		var req struct {
			Text  string `json:"text"`
			Reply struct {
				InReplyToTweetID string `json:"in_reply_to_tweet_id"`
			} `json:"reply"`
			Edit struct {
				PreviousPostID string `json:"previous_post_id"`
			} `json:"edit_options"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		id := fmt.Sprint(1445880548472328192 + x.minted)
		x.minted++
		if prev := req.Edit.PreviousPostID; prev != "" {
			x.edit(w, prev, id, req.Text)
			return
		}
		p := xPost{ID: id, Text: req.Text, ReplyTo: req.Reply.InReplyToTweetID}
		x.posts = append(x.posts, p)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"data":{"id":%q,"text":%q,"edit_history_tweet_ids":[%q]}}`, p.ID, p.Text, p.ID)
	default:
		// X answers an unknown route, a deleted post's too, with its
		// problem JSON: a bare 404 is another server's answer.
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"title":"Not Found Error","detail":"Could not find the requested resource.",`+
			`"type":"https://api.twitter.com/2/problems/resource-not-found"}`)
	}
}

// edit makes id the latest version of the post prev, with text.
func (x *fakeX) edit(w http.ResponseWriter, prev, id, text string) {
	i := slices.IndexFunc(x.posts, func(p xPost) bool { return p.ID == prev })
	switch {
	case i < 0:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"title":"Not Found Error","detail":"Could not find the requested resource.",`+
			`"type":"https://api.twitter.com/2/problems/resource-not-found"}`)
		return
	case x.noEdits:
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"title":"Forbidden","detail":"You are not permitted to edit this Post.","type":"about:blank","status":403}`)
		return
	}
	x.posts[i].ID, x.posts[i].Text = id, text
	fmt.Fprintf(w, `{"data":{"id":%q,"text":%q,"edit_history_tweet_ids":[%q,%q]}}`, id, text, prev, id)
}

func (x *fakeX) sent() []xPost {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]xPost(nil), x.posts...)
}

// xConfig is a channel entry for the fake X, with credentials from the
// environment.
func xConfig(t *testing.T, x *fakeX) string {
	for _, k := range []string{"X_CONSUMER_KEY", "X_CONSUMER_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_SECRET"} {
		t.Setenv(k, "test-"+strings.ToLower(k)+"-value")
	}
	return fmt.Sprintf(`  - type: x
    base_url: %s
    consumer_key: ${X_CONSUMER_KEY}
    consumer_secret: ${X_CONSUMER_SECRET}
    access_token: ${X_ACCESS_TOKEN}
    access_secret: ${X_ACCESS_SECRET}
`, x.URL)
}

// hookConfig is a channel entry for a webhook receiver.
func hookConfig(t *testing.T, h *hookReceiver) string {
	t.Setenv("WEBHOOK_SECRET", testSecret)
	return fmt.Sprintf("  - type: webhook\n    name: hooks\n    url: %s/in\n    secret: ${WEBHOOK_SECRET}\n", h.URL)
}
