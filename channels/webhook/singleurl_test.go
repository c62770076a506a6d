package webhook

import (
	"net/http"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// singleURLConfig is the channel's Config in its single-URL form (URL and
// Secret, no Endpoints), with client sending every request to the
// receiver.
func singleURLConfig(client *http.Client) Config {
	p := confPaths[0]
	return Config{Name: "subscribers", URL: redact.NewURL(confURL(p)), Secret: testSecret(p),
		Headers: map[string]redact.Secret{"X-Api-Key": redact.NewSecret(confAPIKey)}, HTTPClient: client}
}

// TestConformanceSingleURL runs the conformance suite on the single-URL
// form of the Config, which TestConformance's Endpoints do not reach.
func TestConformanceSingleURL(t *testing.T) {
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			be := newConformanceBackend(t)
			return newTestChannel(t, singleURLConfig(conformanceClient(t, be.rc)), nil), be
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			return newTestChannel(t, singleURLConfig(conformanceClient(t, be.(*conformanceBackend).rc)), nil)
		},
		OwnClient: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			be := newConformanceBackend(t)
			cfg := singleURLConfig(nil)
			cfg.URL = redact.NewURL(be.rc.srv.URL + confPaths[0])
			return newTestChannel(t, cfg, nil), be
		},
		Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
			cfg := singleURLConfig(nil)
			cfg.URL = redact.NewURL(serverURL + confPaths[0])
			return newTestChannel(t, cfg, nil)
		},
		Secrets: conformanceSecrets(),
		Config:  singleURLConfig(&http.Client{}),
		Keyed:   true,
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
			channeltest.FailEchoDelivered},
	})
}
