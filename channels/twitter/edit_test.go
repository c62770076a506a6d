package twitter

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// correctionOf returns the Message of a correction of u, as
// Broadcaster.Correct makes it.
func correctionOf(u broadcast.Update, body string) broadcast.Message {
	c := u
	c.ID, c.Body, c.Corrects = "", body, u.ID
	return broadcast.NewMessage(c)
}

// X edits with POST /2/tweets and edit_options.previous_post_id
// (https://docs.x.com/x-api/posts/create-or-edit-post): the body names
// the post and the new text only, and the answer is a new version with an
// id of its own, which the receipt names, with the chain's history.
func TestEditRequestAndReceipt(t *testing.T) {
	for _, mode := range authModes {
		t.Run(mode.name, func(t *testing.T) {
			f := newFakeX(t, mode.bearer)
			var bodies []string
			var mu sync.Mutex
			ch := newTestChannel(t, f, func(c *Config) {
				c.HTTPClient = &http.Client{Transport: recordBodies(&mu, &bodies)}
			})
			u := testUpdate()
			prev, err := ch.Send(context.Background(), broadcast.NewMessage(u))
			require.NoError(t, err)

			r, err := ch.Edit(context.Background(), correctionOf(u, "A bad deploy in the US region."), prev)
			require.NoError(t, err)
			mu.Lock()
			require.Len(t, bodies, 2)
			var req map[string]any
			require.NoError(t, json.Unmarshal([]byte(bodies[1]), &req))
			mu.Unlock()
			assert.Equal(t, map[string]any{"previous_post_id": prev.ID}, req["edit_options"])
			assert.NotContains(t, req, "reply", "an edit keeps the post's place")
			assert.Contains(t, req["text"], "A bad deploy in the US region.")

			assert.Equal(t, "1850000000000000002", r.ID, "the new version's id")
			assert.Equal(t, "https://x.com/i/web/status/1850000000000000002", r.URL)
			assert.Equal(t, prev.ID+",1850000000000000002", r.Meta["edit_history"])
			assert.Equal(t, prev.Time.Format(time.RFC3339Nano), r.Meta["posted"], "the edit window counts from the first version")
			got := f.Received()
			require.Len(t, got, 1, "an edit makes no new post")
			assert.Contains(t, got[0].Text, "A bad deploy in the US region.")

			// A second edit names the latest version, which X requires.
			r2, err := ch.Edit(context.Background(), correctionOf(u, "A bad deploy in the EU region."), r)
			require.NoError(t, err)
			assert.Equal(t, prev.ID+",1850000000000000002,1850000000000000003", r2.Meta["edit_history"])
			assert.Equal(t, r.Meta["posted"], r2.Meta["posted"])
			assert.Contains(t, f.Received()[0].Text, "A bad deploy in the EU region.")
		})
	}
}

// recordBodies is a transport that keeps the request bodies.
func recordBodies(mu *sync.Mutex, bodies *[]string) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.Body != nil {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				return nil, err
			}
			mu.Lock()
			*bodies = append(*bodies, string(b))
			mu.Unlock()
			r.Body = io.NopCloser(strings.NewReader(string(b)))
		}
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// An edit X does not allow wraps broadcast.ErrNotEditable (so that
// Broadcaster.Correct posts a correction instead), a post gone wraps
// broadcast.ErrPostGone; both are Permanent. A receipt that shows the
// post too old, or edited as often as X allows, is refused without a
// request. Rate limits and 5xx stay retryable.
func TestEditErrors(t *testing.T) {
	post := broadcast.Receipt{Channel: "x", ID: "20", Time: fixedNow}
	tests := []struct {
		name      string
		prev      broadcast.Receipt
		answer    http.HandlerFunc
		is        error // nil: neither ErrNotEditable nor ErrPostGone
		permanent bool
		retry     time.Duration // > 0: a RetryAfter hint of at least this
		noRequest bool
		want      string
	}{
		{name: "window over by the receipt's time", noRequest: true, is: broadcast.ErrNotEditable, permanent: true,
			prev: broadcast.Receipt{Channel: "x", ID: "20", Time: fixedNow.Add(-31 * time.Minute)},
			want: "twitter: edit: broadcast: the platform no longer lets this post be edited: the post was made 31m0s ago, " +
				"and X lets a post be edited for 30m0s"},
		{name: "window over by the first version's time", noRequest: true, is: broadcast.ErrNotEditable, permanent: true,
			prev: broadcast.Receipt{Channel: "x", ID: "21", Time: fixedNow.Add(-time.Minute), Meta: map[string]string{
				"edit_history": "20,21", "posted": fixedNow.Add(-40 * time.Minute).Format(time.RFC3339Nano)}}},
		{name: "edits used up", noRequest: true, is: broadcast.ErrNotEditable, permanent: true,
			prev: broadcast.Receipt{Channel: "x", ID: "25", Time: fixedNow, Meta: map[string]string{"edit_history": "20,21,22,23,24,25"}},
			want: "twitter: edit: broadcast: the platform no longer lets this post be edited: the post was edited 5 times, as often as X allows"},
		{name: "duplicate without id", noRequest: true, is: broadcast.ErrNotEditable, permanent: true,
			prev: broadcast.Receipt{Channel: "x", Time: fixedNow, Meta: map[string]string{"duplicate": "true"}}},
		{name: "id not a number", noRequest: true, is: broadcast.ErrNotEditable, permanent: true,
			prev: broadcast.Receipt{Channel: "x", ID: "../users/me", Time: fixedNow},
			want: `twitter: edit: broadcast: the platform no longer lets this post be edited: post id "../users/me": not a number`},
		{name: "403 not eligible", prev: post, is: broadcast.ErrNotEditable, permanent: true,
			answer: answer(403, `{"title":"Forbidden","detail":"This Post is not eligible for editing.","type":"about:blank","status":403}`),
			want:   "twitter: edit: broadcast: the platform no longer lets this post be edited: X API 403 Forbidden: This Post is not eligible for editing."},
		{name: "403 account may not edit", prev: post, is: broadcast.ErrNotEditable, permanent: true,
			answer: answer(403, `{"title":"Forbidden","detail":"You are not permitted to perform this action.","type":"about:blank","status":403}`)},
		{name: "403 duplicate content", prev: post, is: broadcast.ErrNotEditable, permanent: true,
			answer: answer(403, `{"title":"Forbidden","detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","status":403}`)},
		{name: "400 invalid previous post", prev: post, is: broadcast.ErrNotEditable, permanent: true,
			answer: answer(400, `{"errors":[{"parameters":{"edit_options.previous_post_id":["20"]},"message":"The post is not editable"}],`+
				`"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}`)},
		{name: "200 with errors: not authorized", prev: post, is: broadcast.ErrNotEditable, permanent: true,
			answer: answer(200, `{"errors":[{"detail":"Sorry, you are not authorized to edit the Post with id: [20].",`+
				`"title":"Authorization Error","type":"https://api.twitter.com/2/problems/not-authorized-for-resource"}]}`)},
		{name: "404 post gone", prev: post, is: broadcast.ErrPostGone, permanent: true,
			answer: answer(404, `{"title":"Not Found Error","detail":"Could not find the requested resource.",`+
				`"type":"https://api.twitter.com/2/problems/resource-not-found","status":404}`),
			want: "twitter: edit: broadcast: the post is gone from the platform: X API 404 Not Found Error: Could not find the requested resource."},
		{name: "200 with errors: not found", prev: post, is: broadcast.ErrPostGone, permanent: true,
			answer: answer(200, `{"errors":[{"value":"20","detail":"Could not find tweet with previous_post_id: [20].",`+
				`"title":"Not Found Error","resource_type":"tweet","type":"https://api.twitter.com/2/problems/resource-not-found"}]}`)},
		{name: "404 unknown route", prev: post, permanent: true, answer: answer(404, ``)},
		{name: "401", prev: post, permanent: true,
			answer: answer(401, `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`),
			want:   "twitter: edit: X rejected the credentials: X API 401 Unauthorized (refused the credential: check Config.ConsumerKey, Config.ConsumerSecret, Config.AccessToken and Config.AccessSecret)"},
		{name: "usage capped", prev: post, permanent: true,
			answer: answer(429, `{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped","period":"Monthly","scope":"Product"}`)},
		{name: "429", prev: post, retry: 5 * time.Minute,
			answer: answer(429, `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`,
				"x-rate-limit-reset", epoch(5*time.Minute))},
		{name: "503 with Retry-After", prev: post, retry: 2 * time.Minute,
			answer: answer(503, `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}`,
				"Retry-After", "120")},
		{name: "503", prev: post,
			answer: answer(503, `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, false)
			if tt.answer != nil {
				f.respondWith(tt.answer)
			}
			ch := newTestChannel(t, f)
			ch.now = func() time.Time { return fixedNow }
			_, err := ch.Edit(context.Background(), correctionOf(testUpdate(), "A bad deploy."), tt.prev)
			require.Error(t, err)
			if tt.want != "" {
				assert.Equal(t, tt.want, err.Error())
			}
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
			for _, sentinel := range []error{broadcast.ErrNotEditable, broadcast.ErrPostGone} {
				assert.Equal(t, sentinel == tt.is, errors.Is(err, sentinel), "errors.Is(%q, %q)", err, sentinel)
			}
			d, ok := broadcast.RetryDelay(err)
			assert.Equal(t, tt.retry > 0, ok, "RetryDelay(%q)", err)
			assert.GreaterOrEqual(t, d, tt.retry)
			if tt.noRequest {
				assert.Zero(t, f.requestCount(), "no request for a post X would refuse to edit")
			}
			for _, s := range testSecrets {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}

// The fake's own refusals of an edit, as X's edit rules give them, wrap
// broadcast.ErrNotEditable.
func TestEditRefusedByX(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fakeX, ch *Channel, prev *broadcast.Receipt)
	}{
		{"account may not edit", func(f *fakeX, _ *Channel, _ *broadcast.Receipt) { f.noEdits = true }},
		{"window closed by X's clock", func(f *fakeX, _ *Channel, _ *broadcast.Receipt) {
			f.clock = func() time.Time { return time.Now().Add(EditWindow) }
		}},
		{"not the latest version", func(f *fakeX, ch *Channel, prev *broadcast.Receipt) {
			_, err := ch.Edit(context.Background(), correctionOf(testUpdate(), "First fix."), *prev)
			if err != nil {
				panic(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, false)
			ch := newTestChannel(t, f)
			prev, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
			require.NoError(t, err)
			tt.setup(f, ch, &prev)
			before := f.Received()
			_, err = ch.Edit(context.Background(), correctionOf(testUpdate(), "A bad deploy."), prev)
			require.ErrorIs(t, err, broadcast.ErrNotEditable)
			assert.True(t, broadcast.IsPermanent(err))
			assert.Equal(t, before, f.Received(), "a refused edit changes nothing")
		})
	}
}

// correcting returns a fake X, a Channel on it whose templates mark a
// correction, as the default templates do, and a Broadcaster of it.
func correcting(t *testing.T) (*fakeX, *Channel, *broadcast.Broadcaster) {
	t.Helper()
	tmpl, err := templates.Default().With("short", `{{if .Corrects}}Correction: {{end}}{{.Headline}}: {{.Title}} — {{.Body}}`)
	require.NoError(t, err)
	f := newFakeX(t, false)
	ch := newTestChannel(t, f, func(c *Config) { c.Templates = tmpl })
	return f, ch, newBroadcaster(t, ch)
}

// Broadcaster.Correct edits the post in place while X allows it: no new
// post, and the correction's receipt names the new version, so that its
// Retract deletes the post.
func TestCorrectEditsInPlace(t *testing.T) {
	f, _, b := correcting(t)
	first := testUpdate()
	rep, err := b.Send(context.Background(), first)
	require.NoError(t, err)
	corrected := first
	corrected.ID, corrected.Body = "", "A bad deploy in the US region."
	corr, err := b.Correct(context.Background(), rep.UpdateID, corrected)
	require.NoError(t, err)
	require.NoError(t, corr.Results[0].Err)
	assert.True(t, corr.Results[0].Edited)
	got := f.Received()
	require.Len(t, got, 1, "edited in place")
	assert.Equal(t, "Correction: Investigating: Elevated error rates on the CDN — A bad deploy in the US region.", got[0].Text)
	assert.Equal(t, "1850000000000000002", corr.Results[0].Receipt.ID, "the new version")

	ret, err := b.Retract(context.Background(), corr.UpdateID)
	require.NoError(t, err)
	require.NoError(t, ret.Results[0].Err)
	assert.True(t, f.Received()[0].Deleted, "deleting a version deletes the post")
}

// After the edit window, the correction is a reply at the end of the
// thread, without an edit request.
func TestCorrectAfterWindowRepliesInThread(t *testing.T) {
	f, ch, b := correcting(t)
	first := testUpdate()
	_, err := b.Send(context.Background(), first)
	require.NoError(t, err)
	second := testUpdate()
	second.ID, second.Status, second.Body = "", broadcast.StatusIdentified, "A bad deploy in the EU region."
	rep, err := b.Send(context.Background(), second)
	require.NoError(t, err)
	ch.now = func() time.Time { return time.Now().Add(EditWindow + time.Minute) }
	requests := f.requestCount()
	corrected := second
	corrected.ID, corrected.Body = "", "A bad deploy in the US region."
	rep, err = b.Correct(context.Background(), rep.UpdateID, corrected)
	require.NoError(t, err)
	assert.False(t, rep.Results[0].Edited)
	assert.Equal(t, requests+1, f.requestCount(), "the correction's post only: no edit request")

	got := f.Received()
	require.Len(t, got, 3, "the correction is a new post")
	assert.Equal(t, "Correction: Identified: Elevated error rates on the CDN — A bad deploy in the US region.", got[2].Text)
	assert.Equal(t, got[1].ID, got[2].ReplyTo, "it replies to the latest post")
	assert.Equal(t, got[2].ID, rep.Results[0].Receipt.ID)
	assert.False(t, got[1].Deleted, "the corrected post stays")
	assert.Contains(t, got[1].Text, "EU region", "the corrected post is unchanged")
}

// After a correction edited the incident's latest post, the next update
// replies to the post's current version, the one X shows, and a second
// correction of the original edits that version: X edits only the latest.
func TestFollowUpRepliesToEditedVersion(t *testing.T) {
	f, _, b := correcting(t)
	first := testUpdate()
	rep, err := b.Send(context.Background(), first)
	require.NoError(t, err)
	corrected := first
	corrected.ID, corrected.Body = "", "A bad deploy in the US region."
	corr, err := b.Correct(context.Background(), rep.UpdateID, corrected)
	require.NoError(t, err)
	require.True(t, corr.Results[0].Edited)
	version := corr.Results[0].Receipt.ID

	again := first
	again.ID, again.Body = "", "A bad deploy in the US and EU regions."
	corr2, err := b.Correct(context.Background(), rep.UpdateID, again)
	require.NoError(t, err)
	require.NoError(t, corr2.Results[0].Err)
	assert.True(t, corr2.Results[0].Edited, "the second correction edits the current version")
	assert.Equal(t, version+",1850000000000000003", strings.TrimPrefix(corr2.Results[0].Receipt.Meta["edit_history"], "1850000000000000001,"))

	next := testUpdate()
	next.ID, next.Status, next.Body = "", broadcast.StatusIdentified, "Rolled back."
	_, err = b.Send(context.Background(), next)
	require.NoError(t, err)
	got := f.Received()
	require.Len(t, got, 2)
	assert.Equal(t, "1850000000000000003", got[1].ReplyTo, "the follow-up replies to the current version")
}

// An edit whose answer was lost is found on the retry: X refuses to edit
// a version that is no longer the latest, and the post's latest version
// (GET /2/tweets/:id) has the correction's text, so the correction is not
// posted a second time as a reply.
func TestEditAnswerLost(t *testing.T) {
	f, _, b := correcting(t)
	first := testUpdate()
	first.Body = "See https://status.example.com/eu & more."
	rep, err := b.Send(context.Background(), first)
	require.NoError(t, err)
	f.mu.Lock()
	f.loseNext = true
	f.mu.Unlock()
	corrected := first
	corrected.ID, corrected.Body = "", "A bad deploy in the US region: https://status.example.com/us <details>."
	corr, err := b.Correct(context.Background(), rep.UpdateID, corrected)
	require.NoError(t, err)
	require.NoError(t, corr.Results[0].Err)
	assert.Equal(t, 2, corr.Results[0].Attempts)
	assert.True(t, corr.Results[0].Edited)
	got := f.Received()
	require.Len(t, got, 1, "no correction posted anew")
	assert.Equal(t, "1850000000000000002", corr.Results[0].Receipt.ID, "the version the lost attempt made")
	assert.Equal(t, "1850000000000000001,1850000000000000002", corr.Results[0].Receipt.Meta["edit_history"])
}

// On a retry, a refused edit whose post's latest version has another text
// (another edit's) stays refused: the correction is posted in the thread.
func TestEditRefusedRetryOtherText(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	u := testUpdate()
	prev, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	_, err = ch.Edit(context.Background(), correctionOf(u, "Someone else's fix."), prev)
	require.NoError(t, err)
	m := correctionOf(u, "Our fix.")
	m.Attempt = 2
	_, err = ch.Edit(context.Background(), m, prev)
	require.ErrorIs(t, err, broadcast.ErrNotEditable)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, f.Received()[0].Text, "Someone else's fix.")

	// A look-up that fails (an access tier that may not read posts)
	// leaves the refusal as it was, saying why.
	f.respondWith(answer(403, `{"title":"Forbidden","detail":"You are not permitted to perform this action.","type":"about:blank","status":403}`))
	_, err = ch.Edit(context.Background(), m, prev)
	require.ErrorIs(t, err, broadcast.ErrNotEditable)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "the post could not be read to find an earlier attempt's edit: twitter: read post: X API 403 Forbidden")

	// A post gone is gone, not looked up.
	f.mu.Lock()
	f.answer = nil
	f.mu.Unlock()
	f.deleteOnX(prev.ID)
	requests := f.requestCount()
	_, err = ch.Edit(context.Background(), m, prev)
	require.ErrorIs(t, err, broadcast.ErrPostGone)
	assert.Equal(t, requests+1, f.requestCount())
}

// An edit whose answer was lost is found on a retry made after X's edit
// window closed: the window tells whether X would take an edit, not
// whether an earlier attempt made one. The retry refused the edit without
// asking X, and the correction was posted a second time as a reply.
func TestEditAnswerLostRetryAfterWindow(t *testing.T) {
	f := newFakeX(t, false)
	ch := newTestChannel(t, f)
	u := testUpdate()
	prev, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	f.mu.Lock()
	f.loseNext = true
	f.mu.Unlock()
	m := correctionOf(u, "A bad deploy.")
	_, err = ch.Edit(context.Background(), m, prev)
	require.Error(t, err)
	require.False(t, broadcast.IsPermanent(err), "a lost answer is retried")

	ch.now = func() time.Time { return time.Now().Add(EditWindow + time.Minute) }
	m.Attempt = 2
	r, err := ch.Edit(context.Background(), m, prev)
	require.NoError(t, err)
	assert.Equal(t, "1850000000000000002", r.ID, "the version the lost attempt made")
	assert.Len(t, f.Received(), 1)
}

// Retracting the first of two corrections deletes the post, every version
// of it (X's DELETE of any version does): the original and the second
// correction are reported retracted too, and the next update starts a new
// thread instead of replying to a deleted version.
func TestRetractOlderCorrectionDeletesPost(t *testing.T) {
	ctx := context.Background()
	f, _, b := correcting(t)
	first := testUpdate()
	rep, err := b.Send(ctx, first)
	require.NoError(t, err)
	var corrs []*broadcast.Report
	for _, body := range []string{"A bad deploy in the US region.", "A bad deploy in the US and EU regions."} {
		corrected := first
		corrected.ID, corrected.Body = "", body
		corr, err := b.Correct(ctx, rep.UpdateID, corrected)
		require.NoError(t, err)
		require.True(t, corr.Results[0].Edited)
		corrs = append(corrs, corr)
	}
	ret, err := b.Retract(ctx, corrs[0].UpdateID)
	require.NoError(t, err)
	require.NoError(t, ret.Results[0].Err)
	require.True(t, f.Received()[0].Deleted)

	for _, id := range []string{rep.UpdateID, corrs[1].UpdateID} {
		on, err := b.RetractedOn(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, []string{"x"}, on, "update %s's post is gone", id)
	}
	next := testUpdate()
	next.ID, next.Status, next.Body = "", broadcast.StatusIdentified, "Rolled back."
	_, err = b.Send(ctx, next)
	require.NoError(t, err)
	got := f.Received()
	require.Len(t, got, 2)
	assert.Empty(t, got[1].ReplyTo, "a new thread: the post it would reply to is gone")
}
