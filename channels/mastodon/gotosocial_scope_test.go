package mastodon

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// GoToSocial (0.19 and later) refuses a scope the token lacks with 403
// "Forbidden: token has insufficient scope permission", without
// WWW-Authenticate. With a token limited to write:statuses, all that
// posting needs, Check passes there too; a retry, which on GoToSocial
// looks for the status of an earlier attempt first, posts when the token
// may not read the account's statuses, as the package documentation says;
// and a deletion answered 404, which the token cannot read back, counts
// as the instance said. Before, each took the refusal of the scope for a
// refused token and failed for good: a Check of a token that posts, a
// retry after a lost connection (the update was lost), a retraction
// retried after its answer was lost. A token without write:statuses
// fails Send for good, naming the scope.
func TestTokenScopesGoToSocial(t *testing.T) {
	f := newFakeMastodon(t)
	f.set(func(f *fakeMastodon) { f.gts, f.scopes = true, []string{"write:statuses"} })
	ch := newTestChannel(t, f)
	ctx := context.Background()
	require.NoError(t, ch.Check(ctx))

	first, err := ch.Send(ctx, broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	u := testUpdate()
	u.ID, u.Status = "", broadcast.StatusIdentified
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: first, Last: first}
	m.Attempt = 2
	_, err = ch.Send(ctx, m)
	require.NoError(t, err, "the token may not look: the retry posts")
	assert.Len(t, f.received(http.MethodPost, "/api/v1/statuses"), 2)

	f.set(func(f *fakeMastodon) { f.notOwned = map[string]bool{first.ID: true} })
	assert.NoError(t, ch.Retract(ctx, first), "the token cannot tell: the 404 counts, as the instance said")

	f.set(func(f *fakeMastodon) { f.scopes = []string{"read"} })
	u.ID, u.Status = "", broadcast.StatusMonitoring
	_, err = ch.Send(ctx, broadcast.NewMessage(u))
	require.ErrorIs(t, err, errScope)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Equal(t, "mastodon: post: the token lacks the scope this needs (posting, editing and deleting statuses need write:statuses): "+
		"instance answered 403 Forbidden: Forbidden: token has insufficient scope permission", err.Error())
}
