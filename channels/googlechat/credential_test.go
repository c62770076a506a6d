package googlechat

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// Google's answers that refuse the webhook URL's key or credentials
// (UNAUTHENTICATED; the ErrorInfo reason API_KEY_INVALID, which Google
// sends with INVALID_ARGUMENT and "API key not valid") name
// Config.WebhookURL; a refused permission, a space gone, a refused message
// or another server's page do not say the credential was refused.
func TestRefusedCredentialNamesField(t *testing.T) {
	e := func(code int, status, msg, reason string) string {
		details := ""
		if reason != "" {
			details = fmt.Sprintf(`, "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": %q, `+
				`"domain": "googleapis.com", "metadata": {"service": "chat.googleapis.com"}}]`, reason)
		}
		return fmt.Sprintf(`{"error": {"code": %d, "message": %q, "status": %q%s}}`, code, msg, status, details)
	}
	for _, tt := range []struct {
		name   string
		answer canned
		field  string // "" when the credential is not refused
	}{
		{"unauthenticated", canned{status: 401, body: e(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", "")}, "Config.WebhookURL"},
		{"key not valid", canned{status: 400, body: e(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "API_KEY_INVALID")}, "Config.WebhookURL"},
		{"key not valid, no ErrorInfo", canned{status: 400, body: e(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "")}, "Config.WebhookURL"},
		{"permission denied", canned{status: 403, body: e(403, "PERMISSION_DENIED", "The caller does not have permission", "")}, ""},
		{"space gone", canned{status: 404, body: e(404, "NOT_FOUND", "Requested entity was not found.", "")}, ""},
		{"invalid argument", canned{status: 400, body: e(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", "")}, ""},
		{"proxy's 401", canned{status: 401, body: "Unauthorized"}, ""},
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
