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
// acts for another account than the one that posted it) with 404 "Record
// not found", as it answers the edit of a deleted one: it looks the
// status up among the token's account's (Status.where(account:
// current_account).find, Api::V1::StatusesController#update). Read back,
// the status is up: it is not gone, and the error says whose it is, not
// that the token was refused, wrapping broadcast.ErrNotEditable (the
// correction is posted anew, the status left as it is), as the matrix
// channel answers an edit of another sender's event. A server that
// answers 403 "This action is not allowed" (Status.find, then
// StatusPolicy#update?) gets the same error.
func TestEditAnotherAccountsStatus(t *testing.T) {
	for name, tc := range map[string]struct {
		forbidden bool
		status    int
	}{
		"404 Record not found":           {false, http.StatusNotFound},
		"403 This action is not allowed": {true, http.StatusForbidden},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeMastodon(t)
			ch := newTestChannel(t, f)
			ctx := context.Background()
			up, err := ch.Send(ctx, broadcast.NewMessage(testUpdate()))
			require.NoError(t, err)
			f.set(func(f *fakeMastodon) { f.notOwned, f.editForbidden = map[string]bool{up.ID: true}, tc.forbidden })

			u := testUpdate()
			u.Title = "Corrected"
			_, err = ch.Edit(ctx, broadcast.NewMessage(u), up)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.NotContains(t, err.Error(), "refused the token")
			assert.Contains(t, err.Error(), "another account")
			assert.NotErrorIs(t, err, broadcast.ErrPostGone, "the status is up: it is not gone")
			assert.ErrorIs(t, err, broadcast.ErrNotEditable)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.Status)
			assert.NotContains(t, err.Error(), testToken)
		})
	}
}

// A 404 to an edit whose status the read back does not find either is a
// status gone (deleted by hand): broadcast.ErrPostGone. So is one the token
// may not read back (write:statuses only): the 404 counts as the instance
// said, as a deletion's does (see confirmGone).
func TestEditGoneStatus(t *testing.T) {
	for name, scopes := range map[string][]string{"read back": nil, "no read scope": {"write:statuses"}} {
		t.Run(name, func(t *testing.T) {
			f := newFakeMastodon(t)
			ch := newTestChannel(t, f)
			ctx := context.Background()
			up, err := ch.Send(ctx, broadcast.NewMessage(testUpdate()))
			require.NoError(t, err)
			f.set(func(f *fakeMastodon) {
				f.scopes = scopes
				f.find(up.ID).deleted = true
			})

			_, err = ch.Edit(ctx, broadcast.NewMessage(testUpdate()), up)
			require.ErrorIs(t, err, broadcast.ErrPostGone)
			assert.NotErrorIs(t, err, broadcast.ErrNotEditable)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
		})
	}
}
