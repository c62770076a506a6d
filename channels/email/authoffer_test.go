package email_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/redact"
)

// A server that does not offer the AUTH method the Config asks for, or
// no AUTH at all, fails the channel for good with an error that names the
// field to change, as New's errors do: no retry makes the server offer it.
func TestAuthNotOfferedNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		mechs string
		auth  email.AuthMethod
		token bool // XOAUTH2 with a TokenSource
		want  []string
	}{
		{"PLAIN asked, LOGIN offered", "LOGIN", email.AuthPlain, false,
			[]string{"Config.Auth (PLAIN)", "server does not support SMTP AUTH type: PLAIN"}},
		{"LOGIN asked, PLAIN offered", "PLAIN", email.AuthLogin, false,
			[]string{"Config.Auth (LOGIN)", "server does not support SMTP AUTH type: LOGIN"}},
		{"XOAUTH2 asked, PLAIN offered", "PLAIN", email.AuthAuto, true,
			[]string{"Config.Auth (XOAUTH2)", "server does not support SMTP AUTH type: XOAUTH2"}},
		{"auto, neither offered", "GSSAPI", email.AuthAuto, false,
			[]string{"Config.Auth", "SMTP Auth autodiscover was not able to detect"}},
		{"no AUTH offered", "-", email.AuthAuto, false,
			[]string{"Config.Username", "Config.Auth", "server does not support SMTP AUTH"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, mechs: tt.mechs})
			cfg := config(srv, "a@example.net")
			cfg.Auth = tt.auth
			if tt.token {
				cfg.Password = redact.NewSecret("")
				cfg.TokenSource = func() (*oauth2.Token, error) { return &oauth2.Token{AccessToken: "ya29.tok"}, nil }
			}
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
