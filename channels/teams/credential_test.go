package teams

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The trigger's answers that refuse the workflow URL itself (its
// signature wrong or missing, no workflow at its address) name
// Config.WebhookURL; a refused request, an Azure role's refusal or another
// server's page do not say the credential was refused.
func TestRefusedCredentialNamesField(t *testing.T) {
	const refused = "(refused the credential: check Config."
	ch, f := newTestChannel(t)
	defer f.answerWith(nil)
	for _, c := range []struct {
		a     fakeAnswer
		field string // "" when the credential is not refused
	}{
		{fakeAnswer{status: http.StatusUnauthorized, code: "DirectApiInvalidAuthorizationSignature"}, "WebhookURL"},
		{fakeAnswer{status: http.StatusUnauthorized, code: "DirectApiAuthorizationRequired"}, "WebhookURL"},
		{fakeAnswer{status: http.StatusNotFound, code: "WorkflowNotFound"}, "WebhookURL"},
		{fakeAnswer{status: http.StatusBadRequest, code: "InvalidRequestContent"}, ""},
		{fakeAnswer{status: http.StatusForbidden, code: "AuthorizationFailed"}, ""},
		{fakeAnswer{status: http.StatusNotFound}, ""},
	} {
		f.answerWith(&c.a)
		_, err := send(t, ch, update(broadcast.StatusInvestigating))
		require.Error(t, err, "%d %s", c.a.status, c.a.code)
		assert.True(t, broadcast.IsPermanent(err), "%d %s: %v", c.a.status, c.a.code, err)
		if c.field == "" {
			assert.NotContains(t, err.Error(), refused, "%d %s", c.a.status, c.a.code)
			continue
		}
		assert.True(t, strings.HasSuffix(err.Error(), refused+c.field+")"), "%d %s: %v", c.a.status, c.a.code, err)
	}
}
