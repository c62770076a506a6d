package email_test

import (
	"io"
	"testing"

	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/channels/internal/nametest"
	"github.com/outagecast/outagecast/redact"
)

// A name holding the login in a form the channel's Redactor hides (SMTP
// AUTH PLAIN's base64, HTTP Basic's "user:password") passed New when the
// password was under redact.MinNameSecret bytes, which the name check
// leaves alone: it did not know the user name. It is now refused, and the
// error quotes neither the name nor the password.
func TestNewRefusesANameHoldingTheLogin(t *testing.T) {
	nametest.RefusesLogin(t, "mail ", func(user string, password redact.Secret, name string) (io.Closer, error) {
		cfg := valid()
		cfg.Username, cfg.Password, cfg.Name = user, password, name
		return email.New(cfg)
	})
}
