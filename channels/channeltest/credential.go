package channeltest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// AssertCredentialField asserts that err, a channel's error, ends in the
// mark of a refused credential that names field ("Config.Token"):
// CredentialRefused, field, then ")". An empty field asserts that err does
// not say a credential was refused at all. It reports whether the
// assertion held. A channel's own table of its platform's answers uses it,
// row by row, as the UnauthorizedNamesCredential rule checks the one
// answer of FailUnauthorized.
func AssertCredentialField(t testing.TB, err error, field string) bool {
	t.Helper()
	if !assert.Error(t, err) {
		return false
	}
	if field == "" {
		return assert.NotContainsf(t, err.Error(), CredentialRefused, "the error says a credential was refused: %v", err)
	}
	return assert.Truef(t, strings.HasSuffix(err.Error(), CredentialRefused+field+")"),
		"the error ends in %q: %v", CredentialRefused+field+")", err)
}
