package twitter

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/templates"
)

var fixedNow = time.Date(2025, time.November, 24, 14, 30, 0, 0, time.UTC)

// authModes are the two ways a channel authenticates; bearer is OAuth 2.0.
var authModes = []struct {
	name   string
	bearer bool
}{{"OAuth1", false}, {"OAuth2", true}}

// newTestChannel returns a channel wired to f with the credentials f
// expects, changed by edit if given.
func newTestChannel(t *testing.T, f *fakeX, edit ...func(*Config)) *Channel {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	cfg := Config{BaseURL: f.URL, HTTPClient: client}
	if f.bearer {
		cfg.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testBearerToken, TokenType: "Bearer"})
	} else {
		cfg.ConsumerKey, cfg.ConsumerSecret = testConsumerKey, testConsumerSecret
		cfg.AccessToken, cfg.AccessSecret = testAccessToken, testAccessSecret
	}
	for _, e := range edit {
		e(&cfg)
	}
	ch, err := New(cfg)
	require.NoError(t, err)
	return ch
}

func TestConformance(t *testing.T) {
	for _, mode := range authModes {
		t.Run(mode.name, func(t *testing.T) {
			channeltest.Run(t, channeltest.Harness{
				New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
					f := newFakeX(t, mode.bearer)
					return newTestChannel(t, f), f
				},
				Secrets:   testSecrets,
				MaxLength: MaxWeight,
				Measure:   Weight,
				Threads:   true,
				Failures: []channeltest.Failure{channeltest.FailNone, channeltest.FailTransient,
					channeltest.FailRateLimited, channeltest.FailUnauthorized, channeltest.FailRejected},
			})
		})
	}
}

func testUpdate() broadcast.Update {
	return broadcast.Update{
		IncidentID: "cdn-errors",
		Title:      "Elevated error rates on the CDN",
		Status:     broadcast.StatusInvestigating,
		Body:       "We are investigating elevated error rates in the EU region.",
		URL:        "https://status.example.com/incidents/42",
	}.WithDefaults(fixedNow)
}

func TestSendReceipt(t *testing.T) {
	for _, mode := range authModes {
		t.Run(mode.name, func(t *testing.T) {
			f := newFakeX(t, mode.bearer)
			ch := newTestChannel(t, f)
			ch.now = func() time.Time { return fixedNow }

			r, err := ch.Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: 1})
			require.NoError(t, err)
			assert.Equal(t, broadcast.Receipt{
				Channel: "x",
				ID:      "1850000000000000001",
				URL:     "https://x.com/i/web/status/1850000000000000001",
				Time:    fixedNow,
				Meta: map[string]string{"text": "Investigating: Elevated error rates on the CDN — " +
					"We are investigating elevated error rates in the EU region. https://t.co/Ab3dE5gH7j"},
			}, r)
			got := f.Received()
			require.Len(t, got, 1)
			assert.Equal(t, "Investigating: Elevated error rates on the CDN — "+
				"We are investigating elevated error rates in the EU region. https://status.example.com/incidents/42",
				got[0].Text)
		})
	}
}

// The request body is exactly X's: text, and reply only for a follow-up.
func TestSendBody(t *testing.T) {
	tests := []struct {
		name   string
		thread broadcast.Receipt
		want   string
	}{
		{"first update", broadcast.Receipt{}, `{"text":"Investigating: Down"}`},
		{"follow-up", broadcast.Receipt{Channel: "x", ID: "1850000000000000007"},
			`{"text":"Investigating: Down","reply":{"in_reply_to_tweet_id":"1850000000000000007"}}`},
		{"after a duplicate", broadcast.Receipt{Channel: "x", Meta: map[string]string{"duplicate": "true", "in_reply_to": "185"}},
			`{"text":"Investigating: Down","reply":{"in_reply_to_tweet_id":"185"}}`},
		{"after a duplicate first post", broadcast.Receipt{Channel: "x", Meta: map[string]string{"duplicate": "true"}},
			`{"text":"Investigating: Down"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, false)
			bodies := make(chan []byte, 1)
			f.respondWith(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				bodies <- body
				writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]string{"id": "9", "text": "t"}})
			})
			ch := newTestChannel(t, f)
			u := broadcast.Update{Title: "Down", Status: broadcast.StatusInvestigating}.WithDefaults(fixedNow)
			_, err := ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1, Thread: tt.thread})
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(<-bodies))
		})
	}
}

func TestSendThreads(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	first, err := ch.Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: 1})
	require.NoError(t, err)
	next := testUpdate()
	next.Status, next.Body, next.ID = broadcast.StatusIdentified, "The cause is a bad deploy.", ""
	second, err := ch.Send(context.Background(), broadcast.Message{Update: next.WithDefaults(fixedNow), Attempt: 1, Thread: first})
	require.NoError(t, err)

	got := f.Received()
	require.Len(t, got, 2)
	assert.Empty(t, got[0].ReplyTo)
	assert.Equal(t, first.ID, got[1].ReplyTo)
	assert.NotEqual(t, first.ID, second.ID)
}

func TestSendFitsText(t *testing.T) {
	long := strings.Repeat("Requests to the CDN in 東京 fail intermittently 👩🏽‍💻, we are on it. ", 40)
	tests := []struct {
		name      string
		edit      func(*broadcast.Update)
		unchanged bool // the rendered template is sent as is
	}{
		{"fits", func(*broadcast.Update) {}, true},
		{"long body", func(u *broadcast.Update) { u.Body = long }, false},
		{"exactly 280", func(u *broadcast.Update) {
			// "Investigating: T — " weighs 19 and the URL 24 with its space.
			u.Title, u.Body = "T", strings.Repeat("b", 280-19-24-1)+"."
		}, true},
		{"long override", func(u *broadcast.Update) {
			u.Overrides = map[string]string{"x": long + " " + u.URL}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, false)
			ch := newTestChannel(t, f)
			u := testUpdate()
			tt.edit(&u)
			_, err := ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
			require.NoError(t, err)
			text := f.Received()[0].Text
			assert.LessOrEqual(t, Weight(text), MaxWeight, text)
			assert.Contains(t, text, u.URL, "the URL, whole")
			full, err := templates.Default().Render("short", u)
			require.NoError(t, err)
			if tt.unchanged {
				assert.Equal(t, full, text)
				return
			}
			assert.Contains(t, text, templates.Ellipsis)
			assert.Greater(t, Weight(text), MaxWeight-30, "shortened no more than needed: %q", text)
		})
	}
}

func TestPreview(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	p, err := ch.Preview(testUpdate())
	require.NoError(t, err)
	assert.Equal(t, "x", p.Channel)
	assert.Equal(t, Weight(p.Text), p.Length)
	assert.Equal(t, 280, p.Limit)
	assert.Equal(t, "weighted characters", p.Unit)
	assert.Zero(t, f.requestCount(), "Preview makes no request")

	u := testUpdate()
	u.Overrides = map[string]string{"x": "All clear 🎉"}
	p, err = ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, "All clear 🎉", p.Text)
	assert.Equal(t, 12, p.Length)
}

// A duplicate on a first attempt is refused; on a retry it means the first
// attempt got through.
func TestSendDuplicate(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	ch.now = func() time.Time { return fixedNow }
	m := broadcast.Message{Update: testUpdate(), Attempt: 1}
	_, err := ch.Send(context.Background(), m)
	require.NoError(t, err)

	_, err = ch.Send(context.Background(), m)
	require.ErrorIs(t, err, ErrDuplicate)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Equal(t, "twitter: duplicate content: X refused an identical post: "+
		"X API 403 Forbidden: You are not allowed to create a Tweet with duplicate content.", err.Error())

	m.Attempt = 2
	m.Thread = broadcast.Receipt{Channel: "x", ID: "1850000000000000001"}
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, broadcast.Receipt{Channel: "x", Time: fixedNow,
		Meta: map[string]string{"duplicate": "true", "in_reply_to": "1850000000000000001"}}, r)
	assert.Len(t, f.Received(), 1)
}

// The answer to a post is lost; the Broadcaster retries, X says duplicate,
// and the update counts as delivered once. The next update still joins the
// thread.
func TestLostAnswerDeliveredOnce(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
		Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })

	first := testUpdate()
	_, err = b.Send(context.Background(), first)
	require.NoError(t, err)
	f.mu.Lock()
	f.loseNext = true
	f.mu.Unlock()
	second := testUpdate()
	second.ID, second.Status, second.Body = "", broadcast.StatusIdentified, "A bad deploy; rolling back."
	rep, err := b.Send(context.Background(), second)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Results[0].Attempts)
	assert.Equal(t, "true", rep.Results[0].Receipt.Meta["duplicate"])
	third := testUpdate()
	third.ID, third.Status, third.Body = "", broadcast.StatusResolved, "Fixed."
	_, err = b.Send(context.Background(), third)
	require.NoError(t, err)

	got := f.Received()
	require.Len(t, got, 3, "each update posted once")
	assert.Equal(t, "1850000000000000001", got[1].ReplyTo)
	assert.Equal(t, "1850000000000000001", got[2].ReplyTo, "the post after the duplicate stays in the thread")
}

func TestCheck(t *testing.T) {
	for _, mode := range authModes {
		t.Run(mode.name, func(t *testing.T) {
			f := newFakeX(t, mode.bearer)
			require.NoError(t, newTestChannel(t, f).Check(context.Background()))
			assert.Empty(t, f.Received(), "Check posts nothing")

			bad := newTestChannel(t, f, func(c *Config) {
				if c.TokenSource != nil {
					c.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "revoked-" + testBearerToken})
				} else {
					c.AccessSecret = "wrong-" + testAccessSecret
				}
			})
			err := bad.Check(context.Background())
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err))
			assert.Equal(t, "twitter: check: X rejected the credentials: X API 401 Unauthorized", err.Error())
		})
	}
}

// The fake refuses a request signed with the wrong secret, so the tests
// that pass prove the signatures right.
func TestSignatureVerified(t *testing.T) {
	for name, edit := range map[string]func(*Config){
		"consumer secret": func(c *Config) { c.ConsumerSecret += "x" },
		"access secret":   func(c *Config) { c.AccessSecret = "as-other" },
		"consumer key":    func(c *Config) { c.ConsumerKey = "ck-other" },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeX(t, false)
			_, err := newTestChannel(t, f, edit).Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: 1})
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err))
			assert.Empty(t, f.Received())
		})
	}
}

// Query parameters are part of the signature base string.
func TestSignatureCoversQuery(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	resp, err := ch.do(context.Background(), http.MethodGet,
		"/2/users/me?user.fields=created_at,username&expansions=pinned_tweet_id&q=a%20b%2Bc~", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
}

func TestSendRejectsReplyToUnknownPost(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	_, err := ch.Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: 1,
		Thread: broadcast.Receipt{Channel: "x", ID: "404"}})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.Status)
	assert.Contains(t, err.Error(), "The Tweet you are replying to is not visible or deleted.")
}
