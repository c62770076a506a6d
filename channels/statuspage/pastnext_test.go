package statuspage

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An update given without a Time whose NextUpdate has already passed is
// one Send accepts (its Time is filled in when it is sent, after the
// promise): the page publishes it, through a Broadcaster and on its own,
// and a dry run says so, instead of failing it permanently for a
// NextUpdate before the Time it was given.
func TestPastNextUpdateWithoutTime(t *testing.T) {
	u := broadcast.Update{
		IncidentID: "cdn", Title: "CDN errors", Status: broadcast.StatusInvestigating,
		NextUpdate: time.Now().Add(-time.Minute),
	}
	require.NoError(t, u.Validate())

	c := newTestChannel(t, t.TempDir())
	b, err := broadcast.New([]broadcast.Channel{c}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	_, err = b.Send(context.Background(), u)
	require.NoError(t, err, "through a Broadcaster")

	c2 := newTestChannel(t, t.TempDir())
	_, err = c2.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err, "a Message of NewMessage")
	_, err = c2.Preview(broadcast.NewMessage(u).Update)
	require.NoError(t, err, "Preview of the update with its Time filled in")
}
