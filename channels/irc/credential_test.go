package irc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/redact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A server refusing the bot's credential, its server password (464
// ERR_PASSWDMISMATCH, RFC 2812 section 5.2; ngIRCd's ERROR naming the
// password) or its SASL login (904 ERR_SASLFAIL, IRCv3 sasl-3.1), has
// the error name the Config field to fix, and stays permanent.
func TestRefusedCredentialNamesField(t *testing.T) {
	tests := []struct {
		name  string
		opts  fakeOptions
		cfg   func(*irc.Config)
		field string
	}{
		{"464", fakeOptions{password: "right"},
			func(c *irc.Config) { c.Password = redact.NewSecret("wrong") }, "Config.Password"},
		{"ERROR about the password", fakeOptions{password: "right", bare464: true},
			func(c *irc.Config) { c.Password = redact.NewSecret("wrong") }, "Config.Password"},
		{"904", fakeOptions{sasl: map[string]string{"bot": "right"}},
			func(c *irc.Config) { c.SASLUser, c.SASLPassword = "bot", redact.NewSecret("wrong") },
			"Config.SASLUser and Config.SASLPassword"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, tt.opts)
			cfg := testConfig(srv.addr())
			tt.cfg(&cfg)
			ch := newChannel(t, cfg)
			_, err := ch.Send(context.Background(), message(sampleUpdate()))
			require.Error(t, err)
			var ce *httpx.CredentialError
			require.True(t, errors.As(err, &ce), "a CredentialError in %q", err)
			assert.Equal(t, tt.field, ce.Field)
			assert.Contains(t, err.Error(), httpx.RefusedCredential+tt.field+")")
			assert.True(t, broadcast.IsPermanent(err))
			assert.NotContains(t, err.Error(), "wrong")
		})
	}
}

// A 904 after the server listed its mechanisms without the bot's (908)
// refuses the mechanism, not the credential: no field to fix is named.
func TestSASLMechanismRefusalNamesNoCredential(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{sasl: map[string]string{"bot": "pw"}, saslMechs: "EXTERNAL", saslBare: true})
	cfg := testConfig(srv.addr())
	cfg.SASLUser, cfg.SASLPassword = "bot", redact.NewSecret("pw")
	_, err := newChannel(t, cfg).Send(context.Background(), message(sampleUpdate()))
	require.Error(t, err)
	var ce *httpx.CredentialError
	assert.False(t, errors.As(err, &ce), "%q", err)
}
