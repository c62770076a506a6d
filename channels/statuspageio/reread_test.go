package statuspageio

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A refusal of an update with the component ids the channel kept, whose
// check (the component list read again) fails for now, says both: the
// attempt fails transiently, as whether the ids were stale is not known
// yet, and a later attempt reads the list again; the refusal's own words
// are not lost behind the read's.
func TestRefusalWhileTheListCannotBeRead(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	send(t, ch, fullUpdate, broadcast.Thread{})
	f.answer(canned{status: 422, body: `{"error":["Impact override is not included in the list"]}`},
		canned{status: 503, body: `{"error":"unavailable"}`})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(withComponents(fullUpdate, "u_refused", fullUpdate.Components...)))
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "Impact override is not included in the list")
	assert.Contains(t, err.Error(), "; reading the component list again to check its ids: list components: http status 503")
}
