package twitter

import (
	"cmp"
	"context"
	"fmt"
	"github.com/outagecast/outagecast/redact"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/text/unicode/norm"

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

// testConfig returns the credentials f expects: OAuth 2.0 for a bearer
// fake, OAuth 1.0a otherwise.
func testConfig(bearer bool) Config {
	if bearer {
		return Config{TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testBearerToken, TokenType: "Bearer"}).Token}
	}
	return Config{ConsumerKey: redact.NewSecret(testConsumerKey), ConsumerSecret: redact.NewSecret(testConsumerSecret),
		AccessToken: redact.NewSecret(testAccessToken), AccessSecret: redact.NewSecret(testAccessSecret)}
}

// newTestChannel returns a channel wired to f with the credentials f
// expects, changed by edit if given.
func newTestChannel(t *testing.T, f *fakeX, edit ...func(*Config)) *Channel {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	cfg := testConfig(f.bearer)
	cfg.BaseURL, cfg.HTTPClient = f.URL, client
	for _, e := range edit {
		e(&cfg)
	}
	ch, err := New(cfg)
	require.NoError(t, err)
	return ch
}

// noLimitWait makes ch's waits for X's rate limits pass at once: the
// fake's limit ends with its failure, not at the reset its 429 names.
func noLimitWait(ch *Channel) *Channel {
	ch.sleep = func(context.Context, time.Duration) error { return nil }
	return ch
}

func TestConformance(t *testing.T) {
	for _, mode := range authModes {
		t.Run(mode.name, func(t *testing.T) {
			channeltest.Run(t, channeltest.Harness{
				New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
					f := newFakeX(t, mode.bearer)
					// NoSecretLeaks posts the same update once per failure
					// class, which X refuses as duplicate content.
					f.dupes = false
					return noLimitWait(newTestChannel(t, f)), f
				},
				Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
					return noLimitWait(newTestChannel(t, be.(*fakeX)))
				},
				OwnClient: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
					f := newFakeX(t, mode.bearer)
					f.dupes = false
					return noLimitWait(newTestChannel(t, f, func(c *Config) { c.HTTPClient = nil })), f
				},
				Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
					cfg := testConfig(mode.bearer)
					cfg.BaseURL = serverURL
					ch, err := New(cfg)
					require.NoError(t, err)
					return ch
				},
				Secrets:   testSecrets,
				Config:    testConfig(mode.bearer),
				MaxLength: MaxWeight,
				Measure:   Weight,
				ThreadsTo: channeltest.Last,
				// Post ids are 64-bit snowflakes, written as strings
				// (https://docs.x.com/fundamentals/x-ids); the fake's
				// are above 2^53.
				LargeIDs: true,
				Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
					channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
					channeltest.FailForeign,
					channeltest.FailEchoDelivered},
				ServerField:     "Config.BaseURL",
				CredentialField: credentialFields[mode.bearer],
			})
		})
	}
}

// credentialFields are the fields of a refused credential, by mode (bearer
// is OAuth 2.0).
var credentialFields = map[bool]string{
	false: "Config.ConsumerKey, Config.ConsumerSecret, Config.AccessToken and Config.AccessSecret",
	true:  "Config.TokenSource",
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

// The request body is exactly X's: text, and reply only for a follow-up,
// to the incident's latest post.
func TestSendBody(t *testing.T) {
	root := broadcast.Receipt{Channel: "x", ID: "1850000000000000001"}
	tests := []struct {
		name   string
		thread broadcast.Thread
		want   string
	}{
		{"first update", broadcast.Thread{}, `{"text":"Investigating: Down"}`},
		{"second update", broadcast.Thread{Root: root, Last: root},
			`{"text":"Investigating: Down","reply":{"in_reply_to_tweet_id":"1850000000000000001"}}`},
		{"later update", broadcast.Thread{Root: root, Last: broadcast.Receipt{Channel: "x", ID: "1850000000000000007"}},
			`{"text":"Investigating: Down","reply":{"in_reply_to_tweet_id":"1850000000000000007"}}`},
		{"after a duplicate", broadcast.Thread{Root: root,
			Last: broadcast.Receipt{Channel: "x", Meta: map[string]string{"duplicate": "true", "in_reply_to": "185"}}},
			`{"text":"Investigating: Down","reply":{"in_reply_to_tweet_id":"185"}}`},
		{"after a duplicate first post", broadcast.Thread{
			Root: broadcast.Receipt{Channel: "x", Meta: map[string]string{"duplicate": "true"}},
			Last: broadcast.Receipt{Channel: "x", Meta: map[string]string{"duplicate": "true"}}},
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
			m := broadcast.NewMessage(broadcast.Update{Title: "Down", Status: broadcast.StatusInvestigating})
			m.Thread = tt.thread
			_, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(<-bodies))
		})
	}
}

// Each update replies to the one before: X chains to Thread.Last.
func TestSendThreads(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	var thread broadcast.Thread
	var ids []string
	for i, status := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusResolved} {
		u := testUpdate()
		u.ID, u.Status, u.Body = "", status, fmt.Sprintf("Update %d.", i+1)
		m := broadcast.NewMessage(u)
		m.Thread = thread
		r, err := ch.Send(context.Background(), m)
		require.NoError(t, err)
		if i == 0 {
			thread.Root = r
		}
		thread.Last = r
		ids = append(ids, r.ID)
	}
	got := f.Received()
	require.Len(t, got, 3)
	assert.Empty(t, got[0].ReplyTo)
	assert.Equal(t, ids[0], got[1].ReplyTo)
	assert.Equal(t, ids[1], got[2].ReplyTo, "the third replies to the second, not to the first")
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

// A duplicate of a post made before the update (not found among its
// posts, see TestDuplicateNotFound) is refused on a first attempt; on a
// retry it means the first attempt got through.
func TestSendDuplicate(t *testing.T) {
	f := newFakeX(t, false)
	f.clock = func() time.Time { return fixedNow.Add(-time.Hour) }
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
	prev := broadcast.Receipt{Channel: "x", ID: "1850000000000000001"}
	m.Thread = broadcast.Thread{Root: prev, Last: prev}
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
	assert.Equal(t, "1850000000000000002", rep.Results[0].Receipt.ID, "found after the duplicate refusal")
	third := testUpdate()
	third.ID, third.Status, third.Body = "", broadcast.StatusResolved, "Fixed."
	_, err = b.Send(context.Background(), third)
	require.NoError(t, err)

	got := f.Received()
	require.Len(t, got, 3, "each update posted once")
	assert.Equal(t, "1850000000000000001", got[1].ReplyTo)
	assert.Equal(t, "1850000000000000002", got[2].ReplyTo, "the post after the duplicate stays in the thread")
}

func TestCheck(t *testing.T) {
	for _, mode := range authModes {
		t.Run(mode.name, func(t *testing.T) {
			f := newFakeX(t, mode.bearer)
			require.NoError(t, newTestChannel(t, f).Check(context.Background()))
			assert.Empty(t, f.Received(), "Check posts nothing")

			bad := newTestChannel(t, f, func(c *Config) {
				if c.TokenSource != nil {
					c.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "revoked-" + testBearerToken}).Token
				} else {
					c.AccessSecret = redact.NewSecret("wrong-" + testAccessSecret)
				}
			})
			err := bad.Check(context.Background())
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err))
			field := "Config.ConsumerKey, Config.ConsumerSecret, Config.AccessToken and Config.AccessSecret"
			if mode.bearer {
				field = "Config.TokenSource"
			}
			assert.Equal(t, "twitter: check: X rejected the credentials: X API 401 Unauthorized (refused the credential: check "+field+")",
				err.Error())
		})
	}
}

// An access token made before the app had write permission stays
// read-only: X then answers every post with 403, yet reads the account.
// Check tells it by the x-access-level header X sends with OAuth 1.0a
// answers ("read", "read-write", "read-write-directmessages"), and judges
// nothing when the header is absent (OAuth 2.0: the scopes decide).
func TestCheckReadOnlyToken(t *testing.T) {
	me := `{"data":{"id":"2244994945","name":"Example Status","username":"examplestatus"}}`
	tests := []struct {
		level string // "": no header
		want  string // "": no error
	}{
		{"read", "twitter: check: the access token is read-only (x-access-level: read): X refuses every post; " +
			"give the app Read and Write permission in the developer portal, then regenerate the access token and secret"},
		{"read-write", ""},
		{"read-write-directmessages", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(cmp.Or(tt.level, "none"), func(t *testing.T) {
			f := newFakeX(t, false)
			var h []string
			if tt.level != "" {
				h = []string{"x-access-level", tt.level}
			}
			f.respondWith(answer(http.StatusOK, me, h...))
			err := newTestChannel(t, f).Check(context.Background())
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err))
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// The x-access-level value Check quotes is the answer's, so it is
// redacted as X's text is: a relay or a debugging proxy that echoes the
// request's credentials into it does not get them into the error.
func TestCheckAccessLevelRedacted(t *testing.T) {
	me := `{"data":{"id":"2244994945","name":"Example Status","username":"examplestatus"}}`
	for _, secret := range []string{testAccessToken, testConsumerKey, testConsumerSecret, testAccessSecret} {
		f := newFakeX(t, false)
		f.respondWith(answer(http.StatusOK, me, "x-access-level", "read "+secret))
		err := newTestChannel(t, f).Check(context.Background())
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err))
		assert.Contains(t, err.Error(), "the access token is read-only")
		assert.NotContains(t, err.Error(), secret)
	}
}

// The fake refuses a request signed with the wrong secret, so the tests
// that pass prove the signatures right.
func TestSignatureVerified(t *testing.T) {
	for name, edit := range map[string]func(*Config){
		"consumer secret": func(c *Config) { c.ConsumerSecret = redact.NewSecret(c.ConsumerSecret.Reveal() + "x") },
		"access secret":   func(c *Config) { c.AccessSecret = redact.NewSecret("as-other") },
		"consumer key":    func(c *Config) { c.ConsumerKey = redact.NewSecret("ck-other") },
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
	resp, _, err := ch.exchange(context.Background(), "check", http.MethodGet,
		"/2/users/me?user.fields=created_at,username&expansions=pinned_tweet_id&q=a%20b%2Bc~", nil, 0)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
}

// A post deleted on X outside outagecast can still be Thread.Last: X then
// refuses the reply, and the update goes out without it, its receipt
// saying so.
func TestSendReplyToDeletedPost(t *testing.T) {
	for _, mode := range authModes {
		t.Run(mode.name, func(t *testing.T) {
			f := newFakeX(t, mode.bearer)
			ch := newTestChannel(t, f)
			ch.now = func() time.Time { return fixedNow }
			first, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
			require.NoError(t, err)
			f.deleteOnX(first.ID)
			// Not a post X may not show yet (TestSendReplyToPostNotYetVisible).
			ch.now = func() time.Time { return fixedNow.Add(replyVisibleAfter) }

			u := testUpdate()
			u.ID, u.Status, u.Body = "", broadcast.StatusIdentified, "A bad deploy."
			m := broadcast.NewMessage(u)
			m.Thread = broadcast.Thread{Root: first, Last: first}
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err)

			got := f.Received()
			require.Len(t, got, 2)
			assert.Empty(t, got[1].ReplyTo, "posted without the reply")
			assert.Equal(t, got[1].ID, r.ID)
			assert.Equal(t, first.ID, r.Meta["reply_dropped"])
			assert.Equal(t, 3, f.requestCount(), "the post, the refused reply, the post without it")
		})
	}
}

// X may not show a post to replies for a few seconds after it was made,
// and refuses a reply to it as to a deleted post meanwhile. A refusal of a
// reply to the incident's latest post made less than replyVisibleAfter
// ago is a retry, after a short wait, not a new thread.
func TestSendReplyToPostNotYetVisible(t *testing.T) {
	for _, tt := range []struct {
		name  string
		age   time.Duration
		retry bool
	}{
		{name: "seconds old", age: 5 * time.Second, retry: true},
		{name: "older", age: replyVisibleAfter + time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := refusingReplies(t)
			ch := newTestChannel(t, f)
			ch.now = func() time.Time { return fixedNow }
			m := broadcast.NewMessage(testUpdate())
			prev := broadcast.Receipt{Channel: "x", ID: "7", Time: fixedNow.Add(-tt.age)}
			m.Thread = broadcast.Thread{Root: prev, Last: prev}
			r, err := ch.Send(context.Background(), m)
			if !tt.retry {
				require.NoError(t, err)
				assert.Equal(t, "7", r.Meta["reply_dropped"])
				return
			}
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "retried")
			d, ok := broadcast.RetryDelay(err)
			assert.True(t, ok && d > 0 && d <= replyVisibleAfter-tt.age, "waits a little, not past the young age: %v", d)
			assert.Equal(t, 1, f.requestCount(), "no post without the reply")
			assert.Equal(t, "twitter: post: X does not show the post replied to yet: "+
				"X API 403 Forbidden: You attempted to reply to a Tweet that is deleted or not visible to you.", err.Error())
		})
	}
}

// The refusal of a reply X answers as 400 or 403; other refusals are not
// taken for it, and a failure of the post without the reply is Send's.
func TestSendReplyRefused(t *testing.T) {
	const (
		gone403  = `{"detail":"You attempted to reply to a Tweet that is deleted or not visible to you.","type":"about:blank","title":"Forbidden","status":403}`
		gone400  = `{"errors":[{"parameters":{"reply.in_reply_to_tweet_id":["7"]},"message":"The Tweet you are replying to is not visible or deleted."}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}`
		other403 = `{"detail":"You are not permitted to perform this action.","type":"about:blank","title":"Forbidden","status":403}`
		created  = `{"data":{"id":"8","text":"t"}}`
	)
	tests := []struct {
		name        string
		withReply   http.HandlerFunc
		without     http.HandlerFunc
		wantErr     string // "" for delivered without the reply
		wantPosts   int
		wantDropped string
	}{
		{name: "403 deleted", withReply: answer(403, gone403), without: answer(201, created), wantPosts: 2, wantDropped: "7"},
		{name: "400 not visible", withReply: answer(400, gone400), without: answer(201, created), wantPosts: 2, wantDropped: "7"},
		{name: "other 403", withReply: answer(403, other403), without: answer(201, created), wantPosts: 1,
			wantErr: "twitter: post: X API 403 Forbidden: You are not permitted to perform this action."},
		{name: "post without the reply fails", withReply: answer(403, gone403), without: answer(503, `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}`),
			wantPosts: 2, wantErr: "twitter: post: X API 503 Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, false)
			f.respondWith(func(w http.ResponseWriter, r *http.Request) {
				req, err := decodePost(r)
				require.NoError(t, err)
				if req.Reply != nil {
					tt.withReply(w, r)
					return
				}
				tt.without(w, r)
			})
			m := broadcast.NewMessage(testUpdate())
			prev := broadcast.Receipt{Channel: "x", ID: "7"}
			m.Thread = broadcast.Thread{Root: prev, Last: prev}
			r, err := newTestChannel(t, f).Send(context.Background(), m)
			assert.Equal(t, tt.wantPosts, f.requestCount(), "requests")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "8", r.ID)
			assert.Equal(t, tt.wantDropped, r.Meta["reply_dropped"])
		})
	}
}

// A retry whose reply is refused and whose post without it is a duplicate
// was delivered by an earlier attempt, without the reply: the post found
// is its receipt, which still says the reply was dropped.
func TestSendReplyRefusedDuplicateOnRetry(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	first, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	f.deleteOnX(first.ID)
	ch.now = func() time.Time { return time.Now().Add(replyVisibleAfter) }
	u := testUpdate()
	u.ID, u.Body = "", "Still looking."
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: first}
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)

	m.Attempt = 2 // as if the answer had been lost
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "1850000000000000002", r.ID)
	assert.Equal(t, first.ID, r.Meta["reply_dropped"])
	assert.Len(t, f.Received(), 2)
}

// A title or override cannot make X notify an account: every "@name"
// outside a link gets an invisible word joiner after the "@", so that X
// finds no mention in it, as on Mastodon and Telegram. Links X takes,
// with or without a scheme, stay whole, and so do e-mail addresses.
func TestQuietMentions(t *testing.T) {
	// twitter-text's mention: "@" (or "＠") not after an ASCII letter,
	// digit or one of _!#$%&*@＠, or after "RT" (any case, ":" or not) not
	// after one of those or _+~.-, then a name of letters, digits and "_".
	mention := regexp.MustCompile(`(?:^|[^a-zA-Z0-9_!#$%&*@＠]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)[@＠][a-zA-Z0-9_]`)
	tests := []struct {
		name     string
		edit     func(*broadcast.Update)
		want     string // in the post
		unbroken string // in the post, as written (links and e-mail addresses)
	}{
		{"title", func(u *broadcast.Update) { u.Title = "Sign-in via @okta fails, cc @ExampleSupport" },
			"Sign-in via @\u034Fokta fails, cc @\u034FExampleSupport", ""},
		{"override", func(u *broadcast.Update) { u.Overrides = map[string]string{"x": "@everyone ＠ops: down " + u.URL} },
			"@\u034Feveryone ＠\u034Fops: down", "https://status.example.com/incidents/42"},
		{"after letters of other scripts", func(u *broadcast.Update) { u.Title = "お問い合わせは@okta_jpまで, café@okta" },
			"お問い合わせは@\u034Fokta_jpまで, café@\u034Fokta", ""},
		{"after RT", func(u *broadcast.Update) { u.Body = "RT@okta down. rt:@ops too. Not ART@x nor e-mail ops@example.com." },
			"RT@\u034Fokta down. rt:@\u034Fops too.", "Not ART@x nor e-mail ops@example.com."},
		{"link without a scheme", func(u *broadcast.Update) { u.Body = "Follow mastodon.social/@examplestatus or mail ops@example.com." },
			"", "mastodon.social/@examplestatus or mail ops@example.com."},
		// "＠" (as a Japanese keyboard types it) right before a domain:
		// twitter-text finds both a link and a mention that overlap, and
		// X keeps the one that starts first, the mention.
		{"full-width at before a link", func(u *broadcast.Update) {
			u.Title = "Sign-in via ＠okta.com fails, 連絡先＠ExampleSupport.example.com"
		},
			"Sign-in via ＠\u034Fokta\u2060.com fails, 連絡先＠\u034FExampleSupport\u2060.example\u2060.com", ""},
		// X reads the post in NFC, where the Kelvin sign is "K".
		{"name that NFC makes", func(u *broadcast.Update) { u.Title = "cc @\u212Aops" }, "cc @\u034FKops", ""},
		// A link that starts inside a hashtag (after "＃", or after a
		// letter of another script the hashtag holds) is found by
		// twitter-text's link extractor, but X drops it for the hashtag,
		// which starts first: its "@name" is a mention. A hashtag that
		// ends before a link leaves the link alone.
		{"hashtag running into a domain", func(u *broadcast.Update) {
			u.Title = "＃x.com/@ops, #障害example.com/@ExampleSupport, #日本x.com/path/@status_bot"
		},
			"＃x.com/@\u034Fops, #障害example.com/@\u034FExampleSupport, #日本x.com/path/@\u034Fstatus_bot", ""},
		{"hashtag before a link", func(u *broadcast.Update) { u.Title = "#障害 mastodon.social/@examplestatus" },
			"", "#障害 mastodon.social/@examplestatus"},
		// The update's URL too, where X's link ends before its end or
		// X takes none.
		{"URL beyond its link", func(u *broadcast.Update) { u.URL = "https://status.example.com/«incident»@ops" },
			"https://status.example.com/«incident»@\u034Fops", "https://status.example.com/"},
		{"URL X does not link", func(u *broadcast.Update) { u.URL = "https://status.example/a,@ops" },
			"https://status.example/a,@\u034Fops", ""},
		{"URL linked whole", func(u *broadcast.Update) { u.URL = "https://status.example.com/a,@ops/@x" },
			"", "https://status.example.com/a,@ops/@x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, false)
			ch := newTestChannel(t, f)
			u := testUpdate()
			tt.edit(&u)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
			require.NoError(t, err)
			text := f.Received()[0].Text
			assert.Contains(t, text, tt.want)
			assert.Contains(t, text, tt.unbroken)
			// X finds no mention inside a link: the rest must have none.
			assert.NotRegexp(t, mention, norm.NFC.String(strings.ReplaceAll(text, tt.unbroken, " ")))
		})
	}
}

// Breaking a mention never makes X link what it did not: "@api.COM" is a
// mention, and no link, as the "@" keeps X from reading a domain right
// after it; with only a word joiner after the "@", X would link
// "api.COM". Nor is a text that no mention starts broken into a link, as
// "@https://…" (a name followed by "://" is no mention). A link that a
// mention overlaps, which X drops for it, is text whose mentions are
// broken too; one that X drops for a hashtag stays as long as it was.
func TestQuietMentionsMakesNoLink(t *testing.T) {
	tests := []struct{ title, want string }{
		{"@api.COM is down", "@\u034Fapi\u2060.COM is down"},
		{"Sign-in via ＠okta.com fails", "Sign-in via ＠\u034Fokta\u2060.com fails"},
		{"＠okta.example.com/@ops", "＠\u034Fokta\u2060.example\u2060.com/@\u034Fops"},
		{"@ops日.example.com", "@\u034Fops日\u2060.example\u2060.com"},
		{"@https://example.com/a", "@https://example.com/a"},
		{"@user/list.example.com", "@\u034Fuser/list.example.com"},
		{"@ops日x.com/@status_bot", "@\u034Fops日\u2060x.com/@status_bot"}, // the link "x.com/@status_bot" stays
		// The link X drops for the hashtag "#障害example" holds the rest:
		// a mark that ended it would leave "status.io" a link.
		{"#障害example.com/@ops/a,status.io", "#障害example.com/@\u034Fops/a,status.io"},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			f := newFakeX(t, false)
			ch := newTestChannel(t, f)
			u := testUpdate()
			u.Title = tt.title
			_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
			require.NoError(t, err)
			text := f.Received()[0].Text
			assert.Contains(t, text, tt.want)
			var links []string
			for _, l := range keptLinks(text) { // a post without mentions
				links = append(links, l.link(text))
			}
			want := []string{"https://status.example.com/incidents/42"}
			if strings.Contains(tt.title, "x.com/") {
				want = []string{"x.com/@status_bot", want[0]}
			}
			assert.Equal(t, want, links)
		})
	}
}

// A text cut to fit can hold a mention the whole did not: "@ops@example"
// is none (a name followed by an at sign), but cut to "@ops…" it would
// be. Mentions are broken in the post as cut, which still fits.
func TestQuietMentionsAfterCut(t *testing.T) {
	cutName := regexp.MustCompile(`(?:^|[^a-zA-Z0-9_!#$%&*@＠])[@＠][a-zA-Z0-9_]+…`) // a mention, "…" being no Latin accent
	for extra := range 4 {
		f := newFakeX(t, false)
		ch := newTestChannel(t, f)
		u := testUpdate()
		u.Overrides = map[string]string{"x": strings.Repeat("a", 270+extra) + "/@ops@example"}
		_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
		require.NoError(t, err)
		text := f.Received()[0].Text
		assert.NotRegexp(t, cutName, text)
		assert.Equal(t, text, quietMentions(text), "no mention is left to break")
		assert.LessOrEqual(t, Weight(text), MaxWeight)
		assert.True(t, strings.HasSuffix(text, "…"), "the override is cut: %q", text)
	}
}
