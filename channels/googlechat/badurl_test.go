package googlechat

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Update.URL the Broadcaster would refuse, in a Message built without
// it, is refused naming the field, as Teams refuses it: the card's "View
// incident" button would open a javascript: link, or nothing, or show the
// space a password in the URL's user information. Before, the card was
// posted with it. Nothing is posted.
func TestButtonURLChecked(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	for _, bad := range []string{"javascript:alert(1)", "not a url", "status.example.com/incidents/42", "https://user:pw@status.example.com/"} {
		u := fullUpdate
		u.URL = bad
		_, err := ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
		require.Error(t, err, bad)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.Contains(t, err.Error(), "Update.URL", bad)
		assert.NotContains(t, err.Error(), "pw@", "the URL's password is not quoted")
		_, err = ch.Preview(u)
		assert.Error(t, err, bad)
	}
	assert.Empty(t, f.sent(), "nothing posted")
	u := fullUpdate
	u.URL = "https://status.example.com/incidents/42?x=1#y"
	_, err := ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
	require.NoError(t, err)
}
