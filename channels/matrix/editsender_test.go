package matrix

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An edit counts only from the original's sender ("The original event and
// replacement event must have the same sender", client-server API,
// Validity of replacement events:
// https://spec.matrix.org/latest/client-server-api/#validity-of-replacement-events);
// the homeserver takes another account's m.replace all the same, and
// clients ignore it. A post made before Config.AccessToken was changed to
// another account's is therefore not edited, but refused as not editable,
// so that the Broadcaster posts the correction anew.
func TestEditOfAnotherSendersPostIsNotEditable(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a config push")))
	require.NoError(t, err)
	f.mu.Lock()
	f.event(r.Meta[confTargets[0]]).sender = "@old-bot:example.org"
	f.mu.Unlock()
	before := len(f.requestLog())

	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusInvestigating, "a certificate rotation")), r)
	require.ErrorIs(t, err, broadcast.ErrNotEditable)
	assert.NotErrorIs(t, err, broadcast.ErrPostGone)
	assert.Contains(t, err.Error(), "@old-bot:example.org")
	tl := f.timeline()
	assert.Contains(t, tl[confTargets[0]][0], "a config push", "the other sender's post stays as it was")
	assert.Contains(t, tl[confTargets[1]][0], "a certificate rotation", "the channel's own post is edited")
	for _, q := range f.requestLog()[before:] {
		if strings.Contains(q.path, "/send/") && strings.Contains(string(q.body), r.Meta[confTargets[0]]) {
			t.Errorf("an edit of the other sender's post was sent: %s", q.body)
		}
	}
}

// A sender the homeserver names is shown without the token, should it
// quote it (a relay's echo of the request).
func TestEditOfAnotherSendersPostShowsNoToken(t *testing.T) {
	f, ch := newTestPair(t, confConfig(""))
	ctx := context.Background()
	r, err := ch.Send(ctx, broadcast.NewMessage(incident(1, broadcast.StatusInvestigating, "a config push")))
	require.NoError(t, err)
	f.mu.Lock()
	f.event(r.Meta[confTargets[0]]).sender = "@" + confToken + ":example.org"
	f.mu.Unlock()

	_, err = ch.Edit(ctx, broadcast.NewMessage(incident(2, broadcast.StatusInvestigating, "a certificate rotation")), r)
	require.ErrorIs(t, err, broadcast.ErrNotEditable)
	assert.NotContains(t, err.Error(), confToken)
}
