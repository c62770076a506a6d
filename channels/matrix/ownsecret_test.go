package matrix

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/internal/endpoint"
)

// A token pasted into the Homeserver's path, as written or %-escaped, is
// refused by New, naming Homeserver and the field the secret belongs in
// and quoting neither: Homeserver is a plain string, which prints with the
// Config, and goes in the line of every request.
func TestNewRefusesOwnSecretInHomeserver(t *testing.T) {
	channeltest.AssertOwnSecretInURLRefused(t, "matrix: Config.Homeserver: ", map[string]string{"AccessToken": confToken}, func(form string) error {
		cfg := validConfig()
		cfg.Homeserver = "https://matrix.example.org/_relay/" + form + "/x"
		_, err := New(cfg)
		return err
	})
}

// ParseURL refuses the access token in the homeserver's path too: the
// Config it returns would print with it.
func TestParseURLRefusesTokenInHomeserver(t *testing.T) {
	_, err := ParseURL("matrix://:" + url.PathEscape(confToken) + "@matrix.example.org/" + url.PathEscape(confToken) + "/?rooms=!abc:example.org")
	assert.EqualError(t, err, "matrix: URL: host and path: "+endpoint.SecretProblem("AccessToken"))
}
