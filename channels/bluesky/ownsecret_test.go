package bluesky

import (
	"testing"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// A app password pasted into the Service's path, as written or %-escaped,
// is refused by New, naming Service and the field the secret belongs in
// and quoting neither: Service is a plain string, which prints with the
// Config, and goes in the line of every request.
func TestNewRefusesOwnSecretInService(t *testing.T) {
	channeltest.AssertOwnSecretInURLRefused(t, "bluesky: Config.Service: ", map[string]string{"AppPassword": testPassword}, func(form string) error {
		cfg := testConfig("")
		cfg.Service = "https://pds.example.com/" + form + "/x"
		_, err := New(cfg)
		return err
	})
}
