package channeltest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// AssertCredentialField holds for an error that ends in the mark of the
// field, or, for no field, says no credential was refused; it fails
// another field, a mark not at the end, a mark where none is expected,
// and no error.
func TestAssertCredentialField(t *testing.T) {
	marked := errors.New("post: 401 " + CredentialRefused + "Config.Token)")
	for _, c := range []struct {
		err   error
		field string
		holds bool
	}{
		{marked, "Config.Token", true},
		{marked, "Config.WebhookURL", false},
		{marked, "", false},
		{errors.New("post: 401 " + CredentialRefused + "Config.Token); and more"), "Config.Token", false},
		{errors.New("post: 403"), "", true},
		{errors.New("post: 403"), "Config.Token", false},
		{nil, "", false},
	} {
		spy := &spyT{T: t}
		assert.Equal(t, c.holds, AssertCredentialField(spy, c.err, c.field), "%v, %q", c.err, c.field)
		assert.Equal(t, c.holds, len(spy.errors) == 0, "%v, %q: %q", c.err, c.field, spy.errors)
	}
}
