package mastodon

import (
	"testing"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// A token pasted into the Server's path, as written or %-escaped, is
// refused by New, naming Server and the field the secret belongs in and
// quoting neither: Server is a plain string, which prints with the Config,
// and goes in the line of every request.
func TestNewRefusesOwnSecretInServer(t *testing.T) {
	channeltest.AssertOwnSecretInURLRefused(t, "mastodon: Config.Server: ", map[string]string{"Token": testToken}, func(form string) error {
		cfg := testConfig("")
		cfg.Server = "https://mastodon.example.com/" + form + "/x"
		_, err := New(cfg)
		return err
	})
}
