package irc_test

import (
	"io"
	"testing"

	"github.com/outagecast/outagecast/channels/internal/nametest"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/redact"
)

// A name holding the SASL login in a form the channel's Redactor hides
// (SASL PLAIN's base64, "user:password") passed New when the password was
// under redact.MinNameSecret bytes, which the name check leaves alone: it
// did not know the user name. It is now refused, and the error quotes
// neither the name nor the password.
func TestNewRefusesANameHoldingTheSASLLogin(t *testing.T) {
	nametest.RefusesLogin(t, "irc ", func(user string, password redact.Secret, name string) (io.Closer, error) {
		cfg := validConfig()
		cfg.SASLUser, cfg.SASLPassword, cfg.Name = user, password, name
		return irc.New(cfg)
	})
}
