package twitter

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// The process ends after X made the post but before the Broadcaster saved
// the receipt; after the restart the update is sent again, as attempt 1,
// and X refuses it as duplicate content. The channel finds the post among
// the account's newest posts (GET /2/users/:id/tweets, created_at no
// earlier than the update's Time) and returns its receipt, with the id,
// on a first attempt as on a retry. Before, attempt 1 failed for good with
// ErrDuplicate and attempt 2 returned a receipt without an id.
func TestDuplicateFound(t *testing.T) {
	for _, mode := range authModes {
		for _, attempt := range []int{1, 2} {
			t.Run(mode.name+"/attempt "+string(rune('0'+attempt)), func(t *testing.T) {
				f := newFakeX(t, mode.bearer)
				f.clock = func() time.Time { return fixedNow.Add(time.Second) }
				ch := newTestChannel(t, f)
				ch.now = func() time.Time { return fixedNow }
				m := broadcast.Message{Update: testUpdate(), Attempt: 1}
				first, err := ch.Send(context.Background(), m)
				require.NoError(t, err)

				m.Attempt = attempt
				r, err := ch.Send(context.Background(), m)
				require.NoError(t, err)
				assert.Equal(t, broadcast.Receipt{Channel: "x", ID: first.ID, URL: first.URL, Time: fixedNow,
					Meta: map[string]string{"text": first.Meta["text"]}}, r)
				assert.Len(t, f.Received(), 1, "posted once")

				_, err = ch.Send(context.Background(), m)
				require.NoError(t, err)
				f.mu.Lock()
				paths := f.paths
				f.mu.Unlock()
				assert.Equal(t, 1, countPrefix(paths, "/2/users/me"), "the account's id is read once per Channel")
				require.Equal(t, 2, countPrefix(paths, "/2/users/"+testUserID+"/tweets?"))
				q := lastQuery(t, paths, "/2/users/"+testUserID+"/tweets?")
				assert.Equal(t, url.Values{"max_results": {"100"}, "exclude": {"retweets"},
					"tweet.fields": {"created_at,entities,referenced_tweets"}, "start_time": {"2025-11-24T14:20:00Z"}}, q)
			})
		}
	}
}

// X stores a post's text with &, < and > as HTML entities and its links
// as t.co links; the links as written are in entities.urls[].expanded_url,
// with "http://" added to a link without a scheme (X API v2 data
// dictionary, Post object: text, entities.urls).
func TestDuplicateFoundEscapedText(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.Body = `Errors < 5% & falling -> "ok"; see example.com/status and https://status.example.com/b?x=1&y=2`
	m := broadcast.Message{Update: u, Attempt: 1}
	first, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, first.ID, r.ID)
	assert.Contains(t, r.Meta["text"], "&lt; 5% &amp; falling -&gt;", "Meta holds the text as X stores it")
}

// timelineAnswer answers the POST with X's duplicate refusal, GET
// /2/users/me with the account, and its timeline with timeline.
func timelineAnswer(timeline http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			writeProblem(w, http.StatusForbidden, "Forbidden",
				"You are not allowed to create a Tweet with duplicate content.", "about:blank")
		case r.URL.Path == "/2/users/me":
			writeJSON(w, http.StatusOK, map[string]any{"data": map[string]string{"id": testUserID, "username": "examplestatus"}})
		case r.URL.Path == "/2/users/"+testUserID+"/tweets":
			timeline(w, r)
		default:
			writeNotFound(w)
		}
	}
}

// When the post cannot be found, or the posts cannot be read, the
// duplicate is judged as before: a Permanent ErrDuplicate on attempt 1,
// never a retry; a delivery without id on a retry.
func TestDuplicateNotFound(t *testing.T) {
	text := "Investigating: Elevated error rates on the CDN — We are investigating elevated error rates in the EU region. https://t.co/Ab3dE5gH7j"
	entities := `"entities":{"urls":[{"url":"https://t.co/Ab3dE5gH7j","expanded_url":"https://status.example.com/incidents/42"}]}`
	post := func(id, created, text string) string {
		return `{"id":"` + id + `","text":"` + text + `","created_at":"` + created + `","edit_history_tweet_ids":["` + id + `"],` + entities + `}`
	}
	const dup = "twitter: duplicate content: X refused an identical post: X API 403 Forbidden: " +
		"You are not allowed to create a Tweet with duplicate content."
	tests := []struct {
		name     string
		timeline http.HandlerFunc
		lookup   string // why the look-up failed: in the error of attempt 1, and the receipt of attempt 2
		failed   bool   // the look-up failed, for a reason lookup does not pin
	}{
		{name: "timeline without it", timeline: answer(200,
			`{"data":[`+post("1850000000000000009", "2025-11-24T14:30:05.000Z", "Something else")+`],"meta":{"result_count":1}}`)},
		{name: "no posts", timeline: answer(200, `{"meta":{"result_count":0}}`)},
		// X's duplicate check spans more than one update: the same text
		// posted an hour before the update is another update's post.
		{name: "post older than the update", timeline: answer(200,
			`{"data":[`+post("1850000000000000009", "2025-11-24T13:30:00.000Z", text)+`],"meta":{"result_count":1}}`)},
		// Another update of the same text, posted a moment before,
		// replies to an older post; a lost attempt's post replies to the
		// same post the update's does (here none).
		{name: "same text but a reply", timeline: answer(200,
			`{"data":[`+strings.Replace(post("1850000000000000009", "2025-11-24T14:30:05.000Z", text), `"edit_history`, `"referenced_tweets":[{"type":"replied_to","id":"1850000000000000008"}],"edit_history`, 1)+`],"meta":{"result_count":1}}`)},
		{name: "same text but another link", timeline: answer(200,
			`{"data":[`+strings.Replace(post("1850000000000000009", "2025-11-24T14:30:05.000Z", text), "incidents/42", "incidents/41", 1)+`],"meta":{"result_count":1}}`)},
		// A path in another case is another page, another update's.
		{name: "same text but a link in another case", timeline: answer(200,
			`{"data":[`+strings.Replace(post("1850000000000000009", "2025-11-24T14:30:05.000Z", text), "incidents/42", "Incidents/42", 1)+`],"meta":{"result_count":1}}`)},
		// X's rate limit of GET /2/users/:id/tweets (900 per 15 minutes
		// per user on Basic, far fewer on Free) answers 429 with its
		// x-rate-limit-* headers; its wait must not reach the error.
		{name: "timeline 429", timeline: answer(429, `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`,
			"x-rate-limit-limit", "1", "x-rate-limit-remaining", "0", "x-rate-limit-reset", epoch(15*time.Minute)),
			lookup: "twitter: find post: rate limited until 2025-11-24T14:45:00Z (x-rate-limit): X API 429 Too Many Requests"},
		// The Free tier may not read timelines: 403 client-not-enrolled.
		{name: "timeline 403 on the free tier", timeline: answer(403, `{"title":"Client Forbidden","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}`),
			lookup: "twitter: find post: X API 403 Client Forbidden: When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project."},
		{name: "timeline 503", timeline: answer(503, `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}`, "Retry-After", "5"),
			lookup: "twitter: find post: X API 503 Service Unavailable"},
		{name: "timeline echoes the credentials", timeline: writeEcho, failed: true},
		// The connection breaks in the answer's body.
		{name: "timeline network error", timeline: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"data":[`))
		}, failed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, false)
			f.respondWith(timelineAnswer(tt.timeline))
			ch := newTestChannel(t, f)
			ch.now = func() time.Time { return fixedNow }
			ch.sleep = func(context.Context, time.Duration) error { return nil } // the timeline 429's window
			m := broadcast.Message{Update: testUpdate(), Attempt: 1}
			_, err := ch.Send(context.Background(), m)
			require.ErrorIs(t, err, ErrDuplicate)
			assert.True(t, broadcast.IsPermanent(err), "IsPermanent")
			_, retry := broadcast.RetryDelay(err)
			assert.False(t, retry, "RetryDelay marked")
			if tt.lookup != "" {
				assert.Equal(t, dup+" (the account's posts could not be read to find it: "+tt.lookup+")", err.Error())
			}
			for _, s := range testSecrets {
				assert.NotContains(t, err.Error(), s)
				assert.NotContains(t, err.Error(), url.QueryEscape(s))
				assert.NotContains(t, err.Error(), percentEncode(s))
			}

			m.Attempt = 2
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			// A failed look-up says, in the receipt, why it has no post id.
			want := map[string]string{"duplicate": "true"}
			switch {
			case tt.lookup != "":
				want["lookup_error"] = tt.lookup
			case tt.failed:
				require.Contains(t, r.Meta, "lookup_error")
				assert.Contains(t, r.Meta["lookup_error"], "twitter: find post: ")
				for _, s := range testSecrets {
					assert.NotContains(t, r.Meta["lookup_error"], s)
					assert.NotContains(t, r.Meta["lookup_error"], url.QueryEscape(s))
					assert.NotContains(t, r.Meta["lookup_error"], percentEncode(s))
				}
				want["lookup_error"] = r.Meta["lookup_error"]
			}
			assert.Equal(t, broadcast.Receipt{Channel: "x", Time: fixedNow, Meta: want}, r)
		})
	}
}

// After a restart, the post found after the duplicate refusal is the
// incident's latest: the next update replies to it, and Retract deletes
// it.
func TestDuplicateFoundThreadsAndRetracts(t *testing.T) {
	f := newFakeX(t, false)
	f.loseNext = true // the answer never came: the process ended
	u := testUpdate()
	_, err := newTestChannel(t, f).Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
	require.Error(t, err)

	ch := newTestChannel(t, f) // the restarted process
	r, err := ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
	require.NoError(t, err)
	require.Equal(t, "1850000000000000001", r.ID)

	next := testUpdate()
	next.ID, next.Status, next.Body = "", broadcast.StatusIdentified, "A bad deploy; rolling back."
	m := broadcast.NewMessage(next)
	m.Thread = broadcast.Thread{Root: r, Last: r}
	_, err = ch.Send(context.Background(), m)
	require.NoError(t, err)
	got := f.Received()
	require.Len(t, got, 2)
	assert.Equal(t, r.ID, got[1].ReplyTo)

	require.NoError(t, ch.Retract(context.Background(), r))
	assert.True(t, f.Received()[0].Deleted)
}

func countPrefix(paths []string, prefix string) int {
	n := 0
	for _, p := range paths {
		if strings.HasPrefix(p, prefix) {
			n++
		}
	}
	return n
}

func lastQuery(t *testing.T, paths []string, prefix string) url.Values {
	t.Helper()
	for i := len(paths) - 1; i >= 0; i-- {
		if rest, ok := strings.CutPrefix(paths[i], prefix); ok {
			q, err := url.ParseQuery(rest)
			require.NoError(t, err)
			return q
		}
	}
	t.Fatalf("no request to %s", prefix)
	return nil
}

// The look-up is made within the attempt's ctx: when ctx ends during it,
// it stops, and the duplicate is judged as without it (Permanent on
// attempt 1, never a retry).
func TestDuplicateLookupStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFakeX(t, false)
	f.respondWith(timelineAnswer(func(w http.ResponseWriter, r *http.Request) {
		cancel() // the attempt's deadline passes while X is slow
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
		writeJSON(w, http.StatusOK, map[string]any{"meta": map[string]int{"result_count": 0}})
	}))
	ch := newTestChannel(t, f)
	_, err := ch.Send(ctx, broadcast.Message{Update: testUpdate(), Attempt: 1})
	require.ErrorIs(t, err, ErrDuplicate)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "could not be read to find it: twitter: find post: ")
	assert.Contains(t, err.Error(), context.Canceled.Error())
}

// addPosts makes n posts of other texts on the account, newer than any
// before, as other updates of a busy outage would. Each is long and full
// of &, which X returns as &amp;: a page of 100 of them is larger than
// httpx.DefaultBodyLimit.
func (f *fakeX) addPosts(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		id := f.newID()
		text := "Update " + id + ": " + strings.Repeat("A&B ", 60)
		f.posts = append(f.posts, channeltest.Delivery{Text: text, Parts: []string{text}, ID: id})
		f.created[id] = f.clock().UTC().Truncate(time.Millisecond)
	}
}

// The account posted more since the lost post than one page of its
// timeline holds (X API v2 GET /2/users/:id/tweets: at most 100 posts a
// page, max_results; the next page is asked for with pagination_token set
// to the answer's meta.next_token, absent on the last page:
// https://docs.x.com/x-api/fundamentals/pagination and
// https://developer.x.com/en/docs/x-api/tweets/timelines/api-reference/get-users-id-tweets).
// The post is found on the second page. Before, only the 20 newest posts
// were read and the update failed for good as a duplicate.
func TestDuplicateFoundOnSecondPage(t *testing.T) {
	f := newFakeX(t, false)
	f.loseNext = true // the answer never came: the process ended
	u := testUpdate()
	_, err := newTestChannel(t, f).Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
	require.Error(t, err)
	f.addPosts(150) // several incidents' updates since

	r, err := newTestChannel(t, f).Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
	require.NoError(t, err)
	assert.Equal(t, "1850000000000000001", r.ID)

	f.mu.Lock()
	paths := slices.Clone(f.paths)
	f.mu.Unlock()
	require.Equal(t, 2, countPrefix(paths, "/2/users/"+testUserID+"/tweets?"), "two pages read")
	q := lastQuery(t, paths, "/2/users/"+testUserID+"/tweets?")
	assert.Equal(t, url.Values{"max_results": {"100"}, "exclude": {"retweets"},
		"tweet.fields": {"created_at,entities,referenced_tweets"}, "start_time": {"2025-11-24T14:20:00Z"},
		"pagination_token": {pageTokenPrefix + "100"}}, q)
}

// The look-up reads at most findPages pages, so that an account with a
// long timeline costs a bounded number of requests (and posts read, which
// count towards the monthly cap), and says so; a page whose answer says
// the rate limit is spent (x-rate-limit-remaining 0) is the last one read,
// and a 429 stops it, as for the first page. Each way the duplicate is
// judged as without the post: Permanent on attempt 1, with the reason.
// X documents no duplicate window (its staff said "recently (a few
// hours)", twitter-development-talk, 2009; the timeline reaches back 3,200
// posts), so the bounds are the update's Time (start_time) and the pages.
func TestDuplicateLookupBounded(t *testing.T) {
	other := `{"id":"1850000000000000009","text":"Something else","created_at":"2025-11-24T14:30:05.000Z","edit_history_tweet_ids":["1850000000000000009"]}`
	page := func(token string, headers ...string) http.HandlerFunc {
		return answer(200, `{"data":[`+other+`],"meta":{"result_count":1,"next_token":"`+token+`"}}`, headers...)
	}
	tooMany := answer(429, `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`,
		"x-rate-limit-limit", "900", "x-rate-limit-remaining", "0", "x-rate-limit-reset", epoch(15*time.Minute))
	tests := []struct {
		name   string
		pages  func(n int) http.HandlerFunc // the answer to the nth request, from 1
		tokens []string                     // the pagination_token of each request
		why    string
	}{
		{name: "endless timeline", pages: func(n int) http.HandlerFunc { return page("next" + strconv.Itoa(n)) },
			tokens: []string{"", "next1", "next2", "next3", "next4"}, why: "twitter: find post: not among the 500 newest posts made since 2025-11-24T14:20:00Z"},
		{name: "limit spent by page 1", tokens: []string{""}, pages: func(int) http.HandlerFunc {
			return page("next", "x-rate-limit-limit", "900", "x-rate-limit-remaining", "0", "x-rate-limit-reset", epoch(15*time.Minute))
		}, why: "twitter: find post: page 2: rate limited until 2025-11-24T14:45:00Z (x-rate-limit)"},
		{name: "page 2 is 429", tokens: []string{"", "next"}, pages: func(n int) http.HandlerFunc {
			if n == 1 {
				return page("next", "x-rate-limit-limit", "900", "x-rate-limit-remaining", "899", "x-rate-limit-reset", epoch(15*time.Minute))
			}
			return tooMany
		}, why: "twitter: find post: rate limited until 2025-11-24T14:45:00Z (x-rate-limit): X API 429 Too Many Requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, false)
			var tokens []string
			f.respondWith(timelineAnswer(func(w http.ResponseWriter, r *http.Request) {
				tokens = append(tokens, r.URL.Query().Get("pagination_token")) // under f.mu
				tt.pages(len(tokens))(w, r)
			}))
			ch := newTestChannel(t, f)
			ch.now = func() time.Time { return fixedNow }
			_, err := ch.Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: 1})
			require.ErrorIs(t, err, ErrDuplicate)
			assert.True(t, broadcast.IsPermanent(err))
			assert.Contains(t, err.Error(), " (the account's posts could not be read to find it: "+tt.why+")")
			f.mu.Lock()
			defer f.mu.Unlock()
			assert.Equal(t, tt.tokens, tokens, "pages read")
		})
	}
}

// When the attempt's ctx ends while a page is read, no further page is
// asked for.
func TestDuplicateLookupPagesStopWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFakeX(t, false)
	var tokens []string
	f.respondWith(timelineAnswer(func(w http.ResponseWriter, r *http.Request) {
		tokens = append(tokens, r.URL.Query().Get("pagination_token")) // under f.mu
		cancel()
		answer(200, `{"data":[{"id":"1850000000000000009","text":"Something else","created_at":"2025-11-24T14:30:05.000Z"}],`+
			`"meta":{"result_count":1,"next_token":"next"}}`)(w, r)
	}))
	ch := newTestChannel(t, f)
	_, err := ch.Send(ctx, broadcast.Message{Update: testUpdate(), Attempt: 1})
	require.ErrorIs(t, err, ErrDuplicate)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), context.Canceled.Error())
	f.mu.Lock()
	defer f.mu.Unlock()
	assert.Equal(t, []string{""}, tokens)
}

// X gives each link of a post in its entities as written, with "http://"
// added when it had none: a scheme and a host in another case are the same
// link, a path, query or fragment in another case another one.
func TestSameText(t *testing.T) {
	const text = "Resolved: see Status.Example.com/Incidents/ABC?id=Q#Top and https://example.com/a"
	tests := []struct {
		expanded []string
		same     bool
	}{
		{[]string{"http://Status.Example.com/Incidents/ABC?id=Q#Top", "https://example.com/a"}, true},
		{[]string{"http://status.example.com/Incidents/ABC?id=Q#Top", "HTTPS://EXAMPLE.COM/a"}, true},
		{[]string{"http://status.example.com/incidents/abc?id=Q#Top", "https://example.com/a"}, false},
		{[]string{"http://Status.Example.com/Incidents/ABC?id=q#Top", "https://example.com/a"}, false},
		{[]string{"http://Status.Example.com/Incidents/ABC?id=Q#top", "https://example.com/a"}, false},
		{[]string{"http://Status.Example.com/Incidents/ABC?id=Q#Top", "https://example.com/A"}, false},
		{[]string{"http://Status.Example.com", "https://example.com/a"}, false},
	}
	for _, tt := range tests {
		var p timelinePost
		p.Text = "Resolved: see https://t.co/Ab3dE5gH7j and https://t.co/Ab3dE5gH7k"
		for i, e := range tt.expanded {
			p.Entities.URLs = append(p.Entities.URLs, timelineURL{URL: "https://t.co/Ab3dE5gH7" + []string{"j", "k"}[i], ExpandedURL: e})
		}
		assert.Equal(t, tt.same, sameText(text, p), "%v", tt.expanded)
	}
}
