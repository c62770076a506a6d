package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A webhook URL whose id is written with leading zeros names the same
// webhook: Discord reads its ids as numbers, and answers with the id
// without them. The channel takes the id as Discord writes it, so Check
// does not take the answer for another webhook's, requests name the id
// as Discord does, and a receipt recorded with the zeros (by an earlier
// version) is still this webhook's.
func TestWebhookIDWithLeadingZeros(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, func(cfg *Config) {
		cfg.WebhookURL = redact.NewURL(f.srv.URL + "/api/webhooks/0" + testID + "/" + testToken)
	})
	require.NoError(t, ch.Check(context.Background()))
	assert.Equal(t, "/api/v10/webhooks/"+testID+"/"+testToken, f.sent()[0].path)

	r := send(t, ch, fullUpdate, broadcast.Thread{})
	assert.Equal(t, testID, r.Meta[metaWebhook])
	r.Meta[metaWebhook] = "0" + testID // as recorded before
	require.NoError(t, ch.Retract(context.Background(), r))
	assert.True(t, f.message(0).deleted)

	u := ch.s.cfg.URL().Reveal()
	assert.True(t, strings.Contains(u, "@"+testID), "the URL form names the id as Discord does")
}
