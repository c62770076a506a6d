package teams

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// The trigger's answers that refuse the workflow URL itself (its
// signature wrong or missing, no workflow at its address) name
// Config.WebhookURL; a refused request, an Azure role's refusal or another
// server's page do not say the credential was refused.
func TestRefusedCredentialNamesField(t *testing.T) {
	ch, f := newTestChannel(t)
	defer f.answerWith(nil)
	for _, c := range []struct {
		a     fakeAnswer
		field string // "" when the credential is not refused
	}{
		{fakeAnswer{status: http.StatusUnauthorized, code: "DirectApiInvalidAuthorizationSignature"}, "Config.WebhookURL"},
		{fakeAnswer{status: http.StatusUnauthorized, code: "DirectApiAuthorizationRequired"}, "Config.WebhookURL"},
		{fakeAnswer{status: http.StatusNotFound, code: "WorkflowNotFound"}, "Config.WebhookURL"},
		{fakeAnswer{status: http.StatusBadRequest, code: "InvalidRequestContent"}, ""},
		{fakeAnswer{status: http.StatusForbidden, code: "AuthorizationFailed"}, ""},
		{fakeAnswer{status: http.StatusNotFound}, ""},
	} {
		f.answerWith(&c.a)
		_, err := send(t, ch, update(broadcast.StatusInvestigating))
		require.Error(t, err, "%d %s", c.a.status, c.a.code)
		assert.True(t, broadcast.IsPermanent(err), "%d %s: %v", c.a.status, c.a.code, err)
		channeltest.AssertCredentialField(t, err, c.field)
	}
}
