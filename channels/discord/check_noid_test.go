package discord

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Check given a 2xx JSON answer with no webhook id in it (another
// server's JSON, a proxy's {"status": "ok"}) says the answer is not
// Discord's, naming Config.WebhookURL: Get Webhook with Token always
// answers with the webhook's id. Before, it said the answer was about
// another webhook, which it is not. One with another webhook's id still
// says so.
func TestCheckAnswerWithoutID(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	for _, body := range []string{`{"status": "ok"}`, `{"id": "", "type": 1}`, `{"id": "webhook", "type": 1}`, `null`} {
		f.answer(canned{status: 200, body: body})
		err := ch.Check(context.Background())
		require.Error(t, err, body)
		assert.True(t, broadcast.IsPermanent(err), body)
		assert.EqualError(t, err, "discord: check: http status 200 OK: "+body+"; not Discord's answer (check Config.WebhookURL)")
	}

	f.answer(canned{status: 200, body: `{"id": "1", "type": 1}`})
	assert.EqualError(t, ch.Check(context.Background()), "discord: check: the answer is about another webhook")
}
