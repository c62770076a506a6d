package statuspageio

import (
	"testing"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// A API key pasted into the BaseURL's path, as written or %-escaped, is
// refused by New, naming BaseURL and the field the secret belongs in and
// quoting neither: BaseURL is a plain string, which prints with the
// Config, and goes in the line of every request.
func TestNewRefusesOwnSecretInBaseURL(t *testing.T) {
	channeltest.AssertOwnSecretInURLRefused(t, "statuspageio: Config.BaseURL: ", map[string]string{"APIKey": testKey}, func(form string) error {
		cfg := validConfig()
		cfg.BaseURL = "https://api.example.com/v1/" + form + "/x"
		_, err := New(cfg)
		return err
	})
}
