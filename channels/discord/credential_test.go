package discord

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// Discord's answers that refuse the webhook's URL itself (its token
// wrong, the webhook deleted) name Config.WebhookURL; a missing
// permission, a refused message or another server's page do not say the
// credential was refused. All stay permanent.
func TestRefusedCredentialNamesField(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer canned
		field  string // "" when the credential is not refused
	}{
		{"invalid webhook token", canned{status: 401, body: `{"message": "Invalid Webhook Token", "code": 50027}`}, "Config.WebhookURL"},
		{"unknown webhook", canned{status: 404, body: `{"message": "Unknown Webhook", "code": 10015}`}, "Config.WebhookURL"},
		{"unauthorized", canned{status: 401, body: `{"message": "401: Unauthorized", "code": 0}`}, "Config.WebhookURL"},
		{"missing permissions", canned{status: 403, body: `{"message": "Missing Permissions", "code": 50013}`}, ""},
		{"unknown channel", canned{status: 404, body: `{"message": "Unknown Channel", "code": 10003}`}, ""},
		{"invalid form body", canned{status: 400, body: `{"message": "Invalid Form Body", "code": 50035}`}, ""},
		{"proxy's 401", canned{status: 401, body: `<html>401 Authorization Required</html>`}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, fakeOptions{})
			ch := newChannel(t, f, nil)
			f.answer(tt.answer)
			_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
			channeltest.AssertCredentialField(t, err, tt.field)
		})
	}
}
