package twitter

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Retract deletes the post; a post already gone, or never known to X, is
// deleted as far as the caller is concerned.
func TestRetract(t *testing.T) {
	for _, mode := range authModes {
		t.Run(mode.name, func(t *testing.T) {
			f := newFakeX(t, mode.bearer)
			ch := newTestChannel(t, f)
			r, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
			require.NoError(t, err)

			require.NoError(t, ch.Retract(context.Background(), r))
			got := f.Received()
			require.Len(t, got, 1)
			assert.True(t, got[0].Deleted)

			assert.NoError(t, ch.Retract(context.Background(), r), `already deleted: {"deleted":false}`)
			assert.NoError(t, ch.Retract(context.Background(), broadcast.Receipt{Channel: "x", ID: "1849999999999999999"}),
				"never known: 404")
		})
	}
}

// X may answer the deletion of a post that is gone with 200 and an errors
// array of resource-not-found instead of data: the post is deleted as far
// as the caller is concerned, so Retract succeeds rather than retrying
// until the Broadcaster gives up.
func TestRetractGoneAsErrorsArray(t *testing.T) {
	f := newFakeX(t, false)
	f.respondWith(answer(200, `{"errors":[{"value":"20","detail":"Could not find tweet with id: [20].",`+
		`"title":"Not Found Error","resource_type":"tweet","parameter":"id","resource_id":"20",`+
		`"type":"https://api.twitter.com/2/problems/resource-not-found"}]}`))
	assert.NoError(t, newTestChannel(t, f).Retract(context.Background(), broadcast.Receipt{Channel: "x", ID: "20"}))
}

// X's response-code reference lists 204 No Content, without a body, as
// the success of a DELETE: the post is deleted, not another server's
// answer.
func TestRetractNoContent(t *testing.T) {
	f := newFakeX(t, false)
	f.respondWith(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	assert.NoError(t, newTestChannel(t, f).Retract(context.Background(), broadcast.Receipt{Channel: "x", ID: "20"}))
}

// A BaseURL with a wrong path reaches routes X does not know: X answers
// them with 404 and an errors list of code 34, which says nothing of the
// post. Retract must not take that for a post already gone.
func TestRetractWrongBasePath(t *testing.T) {
	f := newFakeX(t, false)
	r, err := newTestChannel(t, f).Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	err = newTestChannel(t, f, func(c *Config) { c.BaseURL = f.URL + "/v2" }).Retract(context.Background(), r)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "check Config.BaseURL")
	assert.False(t, f.Received()[0].Deleted)
}

func TestRetractErrors(t *testing.T) {
	tests := []struct {
		name      string
		prev      broadcast.Receipt
		answer    http.HandlerFunc // nil: the fake's own
		permanent bool
		want      string
	}{
		{name: "duplicate receipt", prev: broadcast.Receipt{Channel: "x", Meta: map[string]string{"duplicate": "true"}},
			permanent: true, want: "twitter: delete: the post's id is unknown: X refused a retry of it as a duplicate " +
				"and did not say which post it was; delete it on x.com"},
		{name: "no id", prev: broadcast.Receipt{Channel: "x"}, permanent: true,
			want: "twitter: delete: the receipt has no post id"},
		{name: "not a number", prev: broadcast.Receipt{Channel: "x", ID: "../users/me"}, permanent: true,
			want: `twitter: delete: post id "../users/me": not a number`},
		{name: "not the account's post", prev: broadcast.Receipt{Channel: "x", ID: "20"},
			answer:    answer(403, `{"detail":"You are not allowed to delete this Tweet.","type":"about:blank","title":"Forbidden","status":403}`),
			permanent: true, want: "twitter: delete: X API 403 Forbidden: You are not allowed to delete this Tweet."},
		{name: "503", prev: broadcast.Receipt{Channel: "x", ID: "20"},
			answer: answer(503, `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}`),
			want:   "twitter: delete: X API 503 Service Unavailable"},
		// Another server's 404 (a proxy's page, a BaseURL with a wrong
		// path: X's own is problem JSON, as in TestSendErrors) says
		// nothing of the post, which may still be up.
		{name: "404 from a proxy", prev: broadcast.Receipt{Channel: "x", ID: "20"},
			answer:    answer(404, "<html><h1>404 Not Found</h1></html>"),
			permanent: true, want: "twitter: delete: not the X API's answer (check Config.BaseURL): X API 404 Not Found: <html><h1>404 Not Found</h1></html>"},
		// X answers a route it does not know (a BaseURL with a wrong
		// path) with 404 and an errors list of code 34, without a v2
		// problem type: that says nothing of the post, which may still
		// be up, so it is not "already gone".
		{name: "404 unknown route", prev: broadcast.Receipt{Channel: "x", ID: "20"},
			answer:    answer(404, `{"errors":[{"message":"Sorry, that page does not exist","code":34}]}`),
			permanent: true, want: "twitter: delete: not the X API's answer (check Config.BaseURL): X API 404 Not Found: Sorry, that page does not exist"},
		// A whole 2xx without X's answer is another server's
		// (TestForeignSuccessRetractCheck).
		{name: "200 without data", prev: broadcast.Receipt{Channel: "x", ID: "20"}, answer: answer(200, `{}`),
			permanent: true, want: "twitter: delete: not the X API's answer (check Config.BaseURL): X API 200 OK: {}"},
		{name: "200 with X's problem", prev: broadcast.Receipt{Channel: "x", ID: "20"},
			answer: answer(200, `{"errors":[{"message":"Something went wrong"}]}`),
			want:   "twitter: delete: read response: no data.deleted"},
		// X answers some refusals with 200 and only an errors array; one
		// that names the post as not the account's is a refusal for good.
		{name: "200 with errors: not authorized", prev: broadcast.Receipt{Channel: "x", ID: "20"},
			answer: answer(200, `{"errors":[{"value":"20","detail":"Sorry, you are not authorized to delete the Tweet with id: [20].",`+
				`"title":"Authorization Error","resource_type":"tweet","parameter":"id","resource_id":"20",`+
				`"type":"https://api.twitter.com/2/problems/not-authorized-for-resource"}]}`),
			permanent: true,
			want:      "twitter: delete: X API 200 Authorization Error: Sorry, you are not authorized to delete the Tweet with id: [20]."},
		{name: "200 with errors: invalid request", prev: broadcast.Receipt{Channel: "x", ID: "20"},
			answer: answer(200, `{"errors":[{"parameters":{"id":["20"]},"message":"The id query parameter value [20] is not valid",`+
				`"title":"Invalid Request","type":"https://api.twitter.com/2/problems/invalid-request"}]}`),
			permanent: true,
			want:      "twitter: delete: X API 200 Invalid Request: The id query parameter value [20] is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeX(t, false)
			if tt.answer != nil {
				f.respondWith(tt.answer)
			}
			err := newTestChannel(t, f).Retract(context.Background(), tt.prev)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "IsPermanent")
		})
	}
}

// newBroadcaster returns a Broadcaster of ch with fast retries.
func newBroadcaster(t *testing.T, ch broadcast.Channel) *broadcast.Broadcaster {
	t.Helper()
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
		Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// After Broadcaster.Retract of the latest post, the next update replies to
// the incident's first post: the core leaves retracted posts out of the
// Thread.
func TestRetractThenNextUpdate(t *testing.T) {
	f := newFakeX(t, true)
	b := newBroadcaster(t, newTestChannel(t, f))
	var ids []string
	for i, body := range []string{"Looking into it.", "Wrong region, sorry."} {
		u := testUpdate()
		u.ID, u.Body = "", body
		rep, err := b.Send(context.Background(), u)
		require.NoError(t, err, "update %d", i+1)
		ids = append(ids, rep.UpdateID)
	}
	rep, err := b.Retract(context.Background(), ids[1])
	require.NoError(t, err)
	require.NoError(t, rep.Results[0].Err)
	next := testUpdate()
	next.ID, next.Status, next.Body = "", broadcast.StatusIdentified, "A bad deploy."
	_, err = b.Send(context.Background(), next)
	require.NoError(t, err)

	got := f.Received()
	require.Len(t, got, 3)
	assert.True(t, got[1].Deleted, "the retracted post is deleted on X")
	assert.Equal(t, got[0].ID, got[2].ReplyTo, "the next update replies to the first post")
	assert.True(t, strings.HasPrefix(got[2].Text, "Identified:"), got[2].Text)
}

// X's DELETE answer may hold data and an errors list together (its
// TweetDeleteResponse schema has both): {"deleted":false} with an entry
// that refuses the deletion for good (a post of another account) is that
// refusal, a Permanent error with X's detail, not a post already gone.
// Before, any {"deleted":false} was taken for deleted, and a retraction
// was reported done while the post stayed up.
func TestRetractNotDeletedWithRefusal(t *testing.T) {
	f := newFakeX(t, false)
	f.respondWith(answer(200, `{"data":{"deleted":false},"errors":[{"detail":"You are not allowed to delete this Tweet.",`+
		`"title":"Forbidden","type":"https://api.twitter.com/2/problems/not-authorized-for-resource"}]}`))
	err := newTestChannel(t, f).Retract(context.Background(), broadcast.Receipt{Channel: "x", ID: "20"})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.Contains(t, err.Error(), "You are not allowed to delete this Tweet.")

	// With an entry saying the post is not found, it is gone.
	f.respondWith(answer(200, `{"data":{"deleted":false},"errors":[{"detail":"Could not find tweet with id: [20].",`+
		`"title":"Not Found Error","type":"https://api.twitter.com/2/problems/resource-not-found"}]}`))
	assert.NoError(t, newTestChannel(t, f).Retract(context.Background(), broadcast.Receipt{Channel: "x", ID: "20"}))
}
