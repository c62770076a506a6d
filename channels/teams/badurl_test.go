package teams

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An Update.URL the Broadcaster would refuse, in a Message built without
// it, is refused naming the field: as the card's button, Action.OpenUrl,
// it would open nothing, or a javascript: link, or have Teams refuse the
// card after the workflow answered 202, a post Send would have reported.
// Nothing is posted.
func TestButtonURLChecked(t *testing.T) {
	ch, f := newTestChannel(t)
	for _, bad := range []string{"javascript:alert(1)", "not a url", "status.example.com/incidents/42", "https://user:pw@status.example.com/"} {
		u := update(broadcast.StatusInvestigating)
		u.URL = bad
		_, err := ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
		require.Error(t, err, bad)
		assert.True(t, broadcast.IsPermanent(err), "%v", err)
		assert.Contains(t, err.Error(), "URL", bad)
		assert.NotContains(t, err.Error(), "pw@", "the URL's password is not quoted")
		_, err = ch.Preview(u)
		assert.Error(t, err, bad)
	}
	cards, _ := f.posted()
	assert.Empty(t, cards)
	// http and https URLs make the button.
	u := update(broadcast.StatusInvestigating)
	u.URL = "https://status.example.com/incidents/42?x=1#y"
	_, err := ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
	require.NoError(t, err)
}
