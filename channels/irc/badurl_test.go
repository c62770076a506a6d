package irc_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Update.URL the Broadcaster would refuse, in a Message built without
// it (broadcast.NewMessage), is refused naming the field, before
// connecting: the lines show it to everyone in the channels, so a
// password in it (https://user:pw@…) would be posted for all to read.
// The error does not quote the URL. Send and Preview alike.
func TestBadUpdateURLRefused(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	ch := newChannel(t, testConfig(srv.addr()))
	for _, bad := range []string{"https://ops:hunter2@status.example.com/incidents/42", "javascript:alert(1)",
		"status.example.com/incidents/42", "ftp://status.example.com/"} {
		u := sampleUpdate()
		u.URL = bad
		_, err := ch.Send(context.Background(), message(u))
		require.Error(t, err, bad)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.Contains(t, err.Error(), "Update.URL", bad)
		assert.NotContains(t, err.Error(), "hunter2", "the URL's password is not quoted")
		_, err = ch.Preview(u)
		assert.Error(t, err, bad)
	}
	assert.Equal(t, 0, srv.connections(), "nothing to send: no connection")
}
