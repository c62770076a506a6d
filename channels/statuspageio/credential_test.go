package statuspageio

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// The API's 401 ("Could not authenticate") refuses the API key itself and
// names Config.APIKey; a 403 (a key whose user may not reach the page), a
// 404 (a page or incident not there) and another server's 401 do not say
// the credential was refused.
func TestRefusedCredentialNamesField(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		field  string // "" when the credential is not refused
	}{
		{401, `{"error":"Could not authenticate"}`, "Config.APIKey"},
		{401, `{"message":"Unauthorized"}`, "Config.APIKey"},
		{403, `{"error":"You are not authorized to access this resource."}`, ""},
		{404, `{"error":"The requested resource could not be found."}`, ""},
		{401, `<html>401 Authorization Required</html>`, ""},
	} {
		t.Run(fmt.Sprint(c.status, c.body), func(t *testing.T) {
			f := newFake(t)
			ch := newChannel(t, f, nil)
			f.answer(canned{status: c.status, body: c.body})
			u := fullUpdate
			u.Components = nil
			_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			channeltest.AssertCredentialField(t, err, c.field)
		})
	}
}
