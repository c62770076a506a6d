package bluesky

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fixedNow = time.Date(2025, time.March, 14, 9, 30, 0, 0, time.UTC)

func testConfig(service string) Config {
	return Config{Service: service, Identifier: testIdentifier, AppPassword: redact.NewSecret(testPassword)}
}

// newTestChannel returns a channel wired to f, its config changed by edit.
func newTestChannel(t *testing.T, f *fakePDS, edit ...func(*Config)) *Channel {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	cfg := testConfig(f.URL)
	cfg.HTTPClient = client
	for _, e := range edit {
		e(&cfg)
	}
	ch, err := New(cfg)
	require.NoError(t, err)
	// The fake's limits end with its failures, not at the reset its 429
	// names: a hold passes at once (ratelimit_test.go sets a clock).
	ch.s.sleep = func(context.Context, time.Duration) error { return nil }
	return ch
}

// The record key is not Message.Key itself (a post's key must be a TID),
// so the harness is not Keyed; TestRecordKey and
// TestSendRetryAfterLostAnswer check the key.
func TestConformance(t *testing.T) {
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			f := newFakePDS(t)
			return newTestChannel(t, f), f
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			return newTestChannel(t, be.(*fakePDS))
		},
		OwnClient: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			f := newFakePDS(t)
			return newTestChannel(t, f, func(c *Config) { c.HTTPClient = nil }), f
		},
		Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
			ch, err := New(testConfig(serverURL))
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			return ch
		},
		Secrets:   testSecrets,
		Config:    testConfig("https://bsky.social"),
		MaxLength: MaxGraphemes,
		Measure:   templates.Graphemes,
		ThreadsTo: channeltest.Last,
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
			channeltest.FailForeign,
			channeltest.FailEchoDelivered},
		ServerField:     "Config.Service",
		CredentialField: "Config.Identifier and Config.AppPassword",
	})
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

// createInput reads a createRecord request body.
func createInput(t *testing.T, r request) createRecord {
	t.Helper()
	var in createRecord
	require.NoError(t, json.Unmarshal([]byte(r.Body), &in))
	return in
}

func TestSendRecord(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f, func(c *Config) { c.Languages = []string{"en", "de"} })
	ch.s.now = func() time.Time { return fixedNow }
	m := broadcast.NewMessage(testUpdate())
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)

	creates := f.received("com.atproto.repo.createRecord")
	require.Len(t, creates, 1)
	assert.Equal(t, "Bearer "+fakeJWT("access", 1), creates[0].Header.Get("Authorization"))
	in := createInput(t, creates[0])
	text := "Investigating: Elevated error rates on the CDN — We are investigating elevated error rates in the EU region. " +
		"https://status.example.com/incidents/42"
	assert.Equal(t, createRecord{Repo: testDID, Collection: Collection, RKey: recordKey(m), Record: post{
		Type: Collection, Text: text, Langs: []string{"en", "de"}, CreatedAt: "2025-03-14T09:30:00.000Z",
		Facets: []facet{{Index: byteSlice{ByteStart: strings.Index(text, "https://"), ByteEnd: len(text)},
			Features: []feature{{Type: linkFeature, URI: "https://status.example.com/incidents/42"}}}},
	}}, in)

	uri := "at://" + testDID + "/app.bsky.feed.post/" + recordKey(m)
	assert.Equal(t, uri, r.ID)
	assert.Equal(t, "https://bsky.app/profile/"+testDID+"/post/"+recordKey(m), r.URL)
	assert.Equal(t, uri, r.Meta["uri"])
	assert.True(t, strings.HasPrefix(r.Meta["cid"], "bafyrei"), r.Meta["cid"])
}

// A reply names the thread's first post as root and its latest as
// parent, each by URI and CID.
func TestSendReplyRefs(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	var thread broadcast.Thread
	var receipts []broadcast.Receipt
	for i, status := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusResolved} {
		u := testUpdate()
		u.ID, u.Status = "", status
		u.Time = fixedNow.Add(time.Duration(i) * time.Minute)
		m := broadcast.NewMessage(u)
		m.Thread = thread
		r, err := ch.Send(context.Background(), m)
		require.NoError(t, err)
		if i == 0 {
			thread.Root = r
		}
		thread.Last = r
		receipts = append(receipts, r)
	}
	creates := f.received("com.atproto.repo.createRecord")
	require.Len(t, creates, 3)
	assert.Nil(t, createInput(t, creates[0]).Record.Reply)
	ref := func(r broadcast.Receipt) strongRef { return strongRef{URI: r.Meta["uri"], CID: r.Meta["cid"]} }
	assert.Equal(t, &replyRef{Root: ref(receipts[0]), Parent: ref(receipts[0])}, createInput(t, creates[1]).Record.Reply)
	assert.Equal(t, &replyRef{Root: ref(receipts[0]), Parent: ref(receipts[1])}, createInput(t, creates[2]).Record.Reply)
	assert.Less(t, createInput(t, creates[0]).RKey, createInput(t, creates[2]).RKey, "record keys sort as the updates were written")
}

// Link facets use UTF-8 byte offsets: after emoji, CJK and combining
// marks the facet still covers exactly the URL.
func TestLinkFacets(t *testing.T) {
	tests := []struct {
		name string
		text string
		urls []string
	}{
		{"ASCII", "Down: https://status.example.com/i/42", []string{"https://status.example.com/i/42"}},
		{"emoji and CJK before", "東京 🇯🇵 👩🏽‍💻 障害 n̈: https://status.example.com/i/42", []string{"https://status.example.com/i/42"}},
		{"sentence end", "See https://status.example.com/i/42. Then https://example.org/x!", []string{"https://status.example.com/i/42", "https://example.org/x"}},
		{"path outside ASCII", "🙂 https://status.example.com/インシデント/42 ok", []string{"https://status.example.com/インシデント/42"}},
		{"in brackets", "(see https://status.example.com/i/42) and https://en.wikipedia.org/wiki/Mars_(planet).",
			[]string{"https://status.example.com/i/42", "https://en.wikipedia.org/wiki/Mars_(planet)"}},
		{"none", "no link here, @handle neither", nil},
		// The sentence goes on after a URL with no space: the facet ends
		// where the link does, at a CJK bracket, a quotation mark or
		// punctuation outside ASCII.
		{"CJK bracket", "詳細はhttps://status.example.com/i/1」をご覧ください", []string{"https://status.example.com/i/1"}},
		{"guillemets", "«https://status.example.com/a»", []string{"https://status.example.com/a"}},
		{"ideographic full stop", "(see https://status.example.com/a)。", []string{"https://status.example.com/a"}},
		{"German quotes", "„https://status.example.com/a“", []string{"https://status.example.com/a"}},
		{"full-width parens", "（https://status.example.com/a）", []string{"https://status.example.com/a"}},
		{"two with a comma between", "https://a.example/1、https://b.example/2", []string{"https://a.example/1", "https://b.example/2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := linkFacets(tt.text)
			require.Len(t, fs, len(tt.urls))
			for i, fc := range fs {
				b := []byte(tt.text)
				assert.Equal(t, tt.urls[i], string(b[fc.Index.ByteStart:fc.Index.ByteEnd]), "the bytes the facet covers")
				assert.Equal(t, tt.urls[i], fc.Features[0].URI)
				assert.Equal(t, linkFeature, fc.Features[0].Type)
			}
		})
	}
}

// A hostile title mentions no one: the only facets are links.
func TestNoMentionFacets(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.Title = "@everyone @bsky.app outage"
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	in := createInput(t, f.received("com.atproto.repo.createRecord")[0])
	assert.Contains(t, in.Record.Text, "@everyone @bsky.app outage")
	for _, fc := range in.Record.Facets {
		assert.Equal(t, linkFeature, fc.Features[0].Type)
	}
}

// The record key is a TID, the same on every attempt of an update and for
// a new Message of it, another for another update, with the time of the
// update.
func TestRecordKey(t *testing.T) {
	m := broadcast.NewMessage(testUpdate())
	key := recordKey(m)
	assert.Regexp(t, tidPattern, key)
	m.Attempt = 3
	assert.Equal(t, key, recordKey(m), "a retry")
	assert.Equal(t, key, recordKey(broadcast.NewMessage(testUpdate())), "a new Message of the same update")

	other := testUpdate()
	other.ID = "another-update"
	assert.NotEqual(t, key, recordKey(broadcast.NewMessage(other)), "another update written in the same second")

	v := decodeTID(t, key)
	micros := int64(v >> 10)
	assert.Equal(t, fixedNow.Unix(), micros/1_000_000, "the TID's time is the update's second")

	untimed := broadcast.Message{Update: broadcast.Update{ID: "u1"}}
	assert.Regexp(t, tidPattern, recordKey(untimed), "without a time: still a TID")
}

func decodeTID(t *testing.T, s string) uint64 {
	t.Helper()
	var v uint64
	for _, c := range s {
		i := strings.IndexRune(tidAlphabet, c)
		require.GreaterOrEqual(t, i, 0)
		v = v<<5 | uint64(i)
	}
	return v
}

// A retry after a lost answer finds the record key taken (the PDS answers
// 500), reads the post back, and returns it as delivered: one post.
func TestSendRetryAfterLostAnswer(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	f.set(func(f *fakePDS) { f.loseNext = true })
	m := broadcast.NewMessage(testUpdate())
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "a lost answer is transient: %v", err)

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	got := f.Received()
	require.Len(t, got, 1, "one post")
	assert.Equal(t, got[0].ID, r.ID)
	assert.Equal(t, got[0].ID, r.Meta["uri"])
	assert.NotEmpty(t, r.Meta["cid"])
	assert.Len(t, f.received("com.atproto.repo.createRecord"), 2)
	reads := f.received("com.atproto.repo.getRecord")
	require.Len(t, reads, 1)
	assert.Equal(t, recordKey(m), reads[0].Query.Get("rkey"))
}

// A 500 that is not a taken key stays a transient error: the read-back
// finds no record.
func TestSendInternalErrorWithoutRecord(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	f.set(func(f *fakePDS) { f.internalError = true })
	_, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err))
	assert.Equal(t, "bluesky: post: server answered 500 InternalServerError: Internal Server Error", err.Error())
	assert.Len(t, f.received("com.atproto.repo.getRecord"), 1, "the key was read back")
	assert.Empty(t, f.Received())
}

func TestErrors(t *testing.T) {
	reset := fixedNow.Add(40 * time.Minute).Unix()
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		permanent bool
		wait      time.Duration
		msg       string
	}{
		{"rate limited until reset", 429, map[string]string{"RateLimit-Limit": "5000", "RateLimit-Remaining": "0",
			"RateLimit-Reset": strconv.FormatInt(reset, 10), "RateLimit-Policy": "5000;w=3600"},
			`{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`, false, 40 * time.Minute,
			"bluesky: post: rate limited until 2025-03-14T10:10:00Z (policy 5000;w=3600): server answered 429 RateLimitExceeded: Rate Limit Exceeded"},
		{"rate limited until reset, this machine's clock an hour slow", 429, map[string]string{"RateLimit-Policy": "5000;w=3600",
			"Date": fixedNow.Add(time.Hour).Format(http.TimeFormat), "RateLimit-Reset": strconv.FormatInt(reset+3600, 10)},
			`{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`, false, 40 * time.Minute,
			"bluesky: post: rate limited until 2025-03-14T10:10:00Z (policy 5000;w=3600): server answered 429 RateLimitExceeded: Rate Limit Exceeded"},
		{"rate limited, Retry-After", 429, map[string]string{"Retry-After": "30"}, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`,
			false, 30 * time.Second, "bluesky: post: rate limited: server answered 429 RateLimitExceeded: Rate Limit Exceeded"},
		// A 429 of a proxy in front of a PDS names no wait: not a tight loop.
		{"rate limited, no header", 429, nil, `<html><body><h1>429 Too Many Requests</h1></body></html>`,
			false, httpx.RateLimitWait, "bluesky: post: rate limited: server answered 429 Too Many Requests: <html><body><h1>429 Too Many Requests</h1></body></html>"},
		{"rate limited, reset passed", 429, map[string]string{"RateLimit-Reset": strconv.FormatInt(fixedNow.Add(-time.Second).Unix(), 10)},
			`{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`,
			false, httpx.RateLimitWait, "bluesky: post: rate limited: server answered 429 RateLimitExceeded: Rate Limit Exceeded"},
		{"invalid record", 400, nil, `{"error":"InvalidRequest","message":"Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"}`,
			true, 0, "bluesky: post: server answered 400 InvalidRequest: Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"},
		{"taken down", 401, nil, `{"error":"AccountTakedown","message":"Account has been taken down"}`, true, 0,
			"bluesky: post: the server refused the credentials: server answered 401 AccountTakedown: Account has been taken down"},
		{"second factor", 401, nil, `{"error":"AuthFactorTokenRequired","message":"A sign in code has been sent to your email address"}`, true, 0,
			"bluesky: post: the account asks for a second factor: use an app password: server answered 401 AuthFactorTokenRequired: A sign in code has been sent to your email address (refused the credential: check Config.AppPassword)"},
		{"upstream failure", 502, nil, `{"error":"UpstreamFailure","message":"Upstream Failure"}`, false, 0,
			"bluesky: post: server answered 502 UpstreamFailure: Upstream Failure"},
		// An XRPC server answers every refusal with {"error":"…",
		// "message":"…"} (https://atproto.com/specs/xrpc, "Error
		// Responses"): a 401, 404 or 405 without it is another server's
		// (a proxy's page, a Service with a wrong path), which refuses no
		// credentials and names Config.Service.
		{"proxy's 401", 401, nil, `<html><h1>401 Authorization Required</h1></html>`, true, 0,
			"bluesky: post: not the XRPC server's answer (check Config.Service): server answered 401 Unauthorized: <html><h1>401 Authorization Required</h1></html>"},
		{"web site's 404", 404, nil, `<!doctype html><title>Not Found</title>`, true, 0,
			"bluesky: post: not the XRPC server's answer (check Config.Service): server answered 404 Not Found: <!doctype html><title>Not Found</title>"},
		{"web site's 405", 405, nil, ``, true, 0,
			"bluesky: post: not the XRPC server's answer (check Config.Service): server answered 405 Method Not Allowed"},
		{"proxy page", 503, nil, `<html>Service Unavailable</html>`, false, 0,
			"bluesky: post: server answered 503 Service Unavailable: <html>Service Unavailable</html>"},
	}
	ch, err := New(testConfig(""))
	require.NoError(t, err)
	ch.s.now = func() time.Time { return fixedNow }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			err := ch.classify(opPost, &httpx.Response{Status: tt.status, Header: h, Body: []byte(tt.body)}, nil)
			require.Error(t, err)
			assert.Equal(t, tt.msg, err.Error())
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err))
			d, ok := broadcast.RetryDelay(err)
			assert.Equal(t, tt.wait != 0, ok)
			assert.Equal(t, tt.wait, d)
		})
	}
}

func TestRetract(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	r, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	require.NoError(t, ch.Retract(context.Background(), r))
	deletes := f.received("com.atproto.repo.deleteRecord")
	require.Len(t, deletes, 1)
	_, _, rkey, _ := parseATURI(r.ID)
	assert.JSONEq(t, `{"repo":"`+testDID+`","collection":"app.bsky.feed.post","rkey":"`+rkey+`"}`, deletes[0].Body)
	assert.True(t, f.Received()[0].Deleted)
	require.NoError(t, ch.Retract(context.Background(), r), "a post already gone")

	err = ch.Retract(context.Background(), broadcast.Receipt{ID: "123"})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
}

func TestCheck(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	require.NoError(t, ch.Check(context.Background()))
	assert.Len(t, f.received("com.atproto.server.getSession"), 1)
	assert.Empty(t, f.received("com.atproto.repo.createRecord"), "Check posts nothing")
}

func TestPreview(t *testing.T) {
	ch, err := New(testConfig(""))
	require.NoError(t, err)
	u := testUpdate()
	u.Body = strings.Repeat("Requests to the CDN in 東京 fail 👩🏽‍💻. ", 30)
	p, err := ch.Preview(u)
	require.NoError(t, err)
	assert.Equal(t, MaxGraphemes, p.Limit)
	assert.Equal(t, "graphemes", p.Unit)
	assert.LessOrEqual(t, p.Length, MaxGraphemes)
	assert.Greater(t, p.Length, MaxGraphemes-20, "the post uses the limit")
	assert.True(t, strings.HasSuffix(p.Text, " https://status.example.com/incidents/42"), p.Text)
}

// A Preview that fails names the limit all the same, as every channel's
// does: a dry run says what the post must fit.
func TestPreviewErrorNamesTheLimit(t *testing.T) {
	ch, err := New(testConfig(""))
	require.NoError(t, err)
	u := testUpdate()
	u.URL = "javascript:alert(1)"
	p, err := ch.Preview(u)
	require.Error(t, err)
	assert.Equal(t, broadcast.Preview{Channel: ch.Name(), Limit: MaxGraphemes, Unit: "graphemes"}, p)
}

func TestMeasure(t *testing.T) {
	assert.Equal(t, 5, Measure("東京で障害"))
	assert.Equal(t, 1, Measure("👨‍👩‍👧‍👦"))
	family := strings.Repeat("👨‍👩‍👧‍👦", 200) // 200 clusters, 5,000 bytes
	assert.Equal(t, MaxGraphemes+1, Measure(family), "over the byte limit: over the limit")
	assert.Equal(t, 120, Measure(family[:120*25]), "3,000 bytes: within both limits")
}

// A post of the longest family emoji still fits the 3,000-byte limit.
func TestSendByteLimit(t *testing.T) {
	f := newFakePDS(t)
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.Body = strings.Repeat("👨‍👩‍👧‍👦", 400)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	text := f.Received()[0].Text
	assert.LessOrEqual(t, len(text), MaxBytes)
	assert.Contains(t, text, "https://status.example.com/incidents/42")
}
