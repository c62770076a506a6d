package mastodon

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Mastodon answers the edit of another account's status (the token now
// acts for another account than the one that posted it) with 403 "This
// action is not allowed". The token was accepted: the error says whose
// status it is, not that the token was refused, and is Permanent.
func TestEditAnotherAccountsStatus(t *testing.T) {
	f := newFakeMastodon(t)
	ch := newTestChannel(t, f)
	ctx := context.Background()
	up, err := ch.Send(ctx, broadcast.NewMessage(testUpdate()))
	require.NoError(t, err)
	f.set(func(f *fakeMastodon) { f.notOwned = map[string]bool{up.ID: true} })

	u := testUpdate()
	u.Title = "Corrected"
	_, err = ch.Edit(ctx, broadcast.NewMessage(u), up)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.NotContains(t, err.Error(), "refused the token")
	assert.Contains(t, err.Error(), "another account")
	assert.NotErrorIs(t, err, broadcast.ErrPostGone, "the status is up: a new post would say the update twice")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusForbidden, apiErr.Status)
	assert.NotContains(t, err.Error(), testToken)
}
