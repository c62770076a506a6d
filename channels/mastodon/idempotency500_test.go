package mastodon

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Some Mastodon releases find the status an Idempotency-Key already made
// and then fail on it, answering the repeat with 500 (mastodon#40399):
// a retry after a lost answer would get that 500 on every attempt, and
// the update, posted, would count as failed, its status outside the
// incident's thread. The channel finds the status among the account's
// newest, by its text and the status it replies to, and returns it.
func TestSendRetryAfterLostAnswerKeyAnswers500(t *testing.T) {
	f := newFakeMastodon(t)
	ch := newTestChannel(t, f)
	first, err := ch.Send(context.Background(), broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)

	u := testUpdate()
	u.ID, u.Status = "", broadcast.StatusIdentified
	u.Body = "The cause is a faulty cache node in Frankfurt.\n\nWe are replacing it & watching <all> regions."
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: first}
	f.set(func(f *fakeMastodon) { f.loseNext, f.dupKey500 = true, true })
	_, err = ch.Send(context.Background(), m)
	require.Error(t, err)
	require.False(t, broadcast.IsPermanent(err), "a lost answer is transient: %v", err)

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err, "the status the first attempt posted is found")
	assert.Equal(t, "110000000000000002", r.ID)
	assert.Equal(t, "https://mastodon.example/@examplestatus/110000000000000002", r.URL)
	assert.Equal(t, 2, f.statusCount(), "nothing posted twice")
}

// A 500 that created nothing stays the transient failure it is, even when
// the account has a status of the same text: one replying elsewhere is
// another update's.
func TestSend500WithoutStatusStaysFailed(t *testing.T) {
	f := newFakeMastodon(t)
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.Overrides = map[string]string{"mastodon": "Still investigating the CDN errors."}
	first, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)

	u.ID = ""
	u.Time = u.Time.Add(1)
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: first}
	f.set(func(f *fakeMastodon) { f.failPosts, f.failStatus = 1, http.StatusInternalServerError })
	_, err = ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "a 500 is transient: %v", err)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusInternalServerError, apiErr.Status)
	assert.Equal(t, 1, f.statusCount())
}

// A token that may not read the account's statuses cannot find the
// status: the 500 stands, transient, and says what the look-up needs.
func TestSendKeyAnswers500WithoutReadScope(t *testing.T) {
	f := newFakeMastodon(t)
	f.set(func(f *fakeMastodon) { f.scopes = []string{"write:statuses"} })
	ch := newTestChannel(t, f)
	m := broadcast.NewMessage(testUpdate())
	f.set(func(f *fakeMastodon) { f.loseNext, f.dupKey500 = true, true })
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	m.Attempt = 2
	_, err = ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "a 500 is transient: %v", err)
	assert.Contains(t, err.Error(), "read:statuses")
	assert.Equal(t, 1, f.statusCount())
}

// A status of the same text made long before the update was written (an
// earlier update's, reworded back) is not taken for the one a 500 may
// have posted.
func TestSend500IgnoresOlderStatusOfSameText(t *testing.T) {
	f := newFakeMastodon(t)
	f.set(func(f *fakeMastodon) { f.now = func() time.Time { return fixedNow.Add(-time.Hour) } })
	ch := newTestChannel(t, f)
	u := testUpdate()
	u.Overrides = map[string]string{"mastodon": "We are looking into CDN errors."}
	u.Time = fixedNow.Add(-time.Hour)
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)

	u.ID, u.Time = "", fixedNow
	u.Status = broadcast.StatusIdentified
	f.set(func(f *fakeMastodon) {
		f.now = func() time.Time { return fixedNow }
		f.failPosts, f.failStatus = 1, http.StatusInternalServerError
	})
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "a 500 is transient: %v", err)
	assert.Equal(t, 1, f.statusCount())
}
