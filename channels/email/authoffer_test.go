package email_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
)

// A server that does not offer the AUTH method the Config asks for, or
// no AUTH at all, fails the channel for good with an error that names the
// field to change, as New's errors do: no retry makes the server offer it.
func TestAuthNotOfferedNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		mechs string
		auth  email.AuthMethod
		want  []string
	}{
		{"PLAIN asked, LOGIN offered", "LOGIN", email.AuthPlain,
			[]string{"Config.Auth (PLAIN)", "server does not support SMTP AUTH type: PLAIN"}},
		{"LOGIN asked, PLAIN offered", "PLAIN", email.AuthLogin,
			[]string{"Config.Auth (LOGIN)", "server does not support SMTP AUTH type: LOGIN"}},
		{"auto, neither offered", "GSSAPI", email.AuthAuto,
			[]string{"Config.Auth", "SMTP Auth autodiscover was not able to detect"}},
		{"no AUTH offered", "-", email.AuthAuto,
			[]string{"Config.Username", "Config.Auth", "server does not support SMTP AUTH"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, mechs: tt.mechs})
			cfg := config(srv, "a@example.net")
			cfg.Auth = tt.auth
			ch := newChannel(t, cfg)
			_, err := ch.Send(context.Background(), broadcast.Message{Update: incident(1)})
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), testPass)
			assert.Empty(t, srv.messages())
		})
	}
}
