package googlechat

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A 2xx answer that quotes the webhook's key or token in the message's
// name or its thread's (a relay echoing the request's URL there) is not
// Google's, which names both with ids of its own: the Send fails for good,
// naming Config.WebhookURL, and neither its error nor any Receipt holds
// the credential. Before, the name became the Receipt's ID, and the
// thread's its Meta, so the token reached the Report and the Store.
func TestAnswerQuotingCredentialInNameIsRefused(t *testing.T) {
	prefix := "spaces/" + testSpace
	for _, tt := range []struct{ name, body string }{
		{"token in the name", fmt.Sprintf(`{"name":"%s/messages/%s"}`, prefix, testToken)},
		{"escaped token in the thread", fmt.Sprintf(`{"name":"%s/messages/abc.abc","thread":{"name":"%s/threads/%s"}}`,
			prefix, prefix, url.QueryEscape(testToken))},
		{"key in the name", fmt.Sprintf(`{"name":"%s/messages/%s"}`, prefix, testKey)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			f.answer(canned{status: 200, body: tt.body})
			r, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), err)
			assert.Contains(t, err.Error(), "not Google Chat's answer (check Config.WebhookURL)")
			channeltest.AssertNoSecret(t, err.Error(), testKey, testToken)
			assert.Zero(t, r)
		})
	}
}
