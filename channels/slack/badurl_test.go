package slack

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Update.URL the Broadcaster would refuse, in a Message built without
// it (broadcast.NewMessage), is refused naming the field, before any
// request: the section shows it as a link to every reader of the channel,
// so a password in it (https://user:pw@…) would be posted for all to see.
// The error does not quote the URL. Send, Edit and Preview alike.
func TestBadUpdateURLRefused(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"#ops"}})
	posted := send(t, ch, update(1, broadcast.StatusInvestigating), broadcast.Thread{})
	for _, bad := range []string{"https://ops:hunter2@status.example.com/incidents/42", "javascript:alert(1)",
		"status.example.com/incidents/42", "ftp://status.example.com/"} {
		u := update(2, broadcast.StatusIdentified)
		u.URL = bad
		_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
		require.Error(t, err, bad)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.Contains(t, err.Error(), "Update.URL", bad)
		assert.NotContains(t, err.Error(), "hunter2", "the URL's password is not quoted")
		_, err = ch.Edit(context.Background(), broadcast.NewMessage(u), posted)
		assert.Error(t, err, bad)
		_, err = ch.Preview(u)
		assert.Error(t, err, bad)
	}
	assert.Len(t, f.requests("chat.postMessage"), 1, "only the good update was posted")
	assert.Empty(t, f.requests("chat.update"))
}
