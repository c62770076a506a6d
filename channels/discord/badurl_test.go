package discord

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Update.URL the Broadcaster would refuse, in a Message built without
// it (broadcast.NewMessage), is refused naming the field, before any
// request: the card's title links to it, which Discord refuses for
// anything but an absolute http or https URL, and a password in it
// (https://user:pw@…) would be shown to every reader. The error does not
// quote the URL. Send, Edit and Preview alike.
func TestBadUpdateURLRefused(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	posted := send(t, ch, fullUpdate, broadcast.Thread{})
	for _, bad := range []string{"https://ops:hunter2@status.example.com/incidents/42", "javascript:alert(1)",
		"status.example.com/incidents/42", "ftp://status.example.com/"} {
		u := resolvedUpdate
		u.URL = bad
		_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
		require.Error(t, err, bad)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.Contains(t, err.Error(), "Update.URL", bad)
		assert.NotContains(t, err.Error(), "hunter2", "the URL's password is not quoted")
		fix := fullUpdate
		fix.ID, fix.Corrects, fix.URL = "u_fix", fullUpdate.ID, bad
		_, err = ch.Edit(context.Background(), broadcast.NewMessage(fix), posted)
		assert.Error(t, err, bad)
		_, err = ch.Preview(u)
		assert.Error(t, err, bad)
	}
	assert.Len(t, f.sent(), 1, "only the good update was posted")
}
