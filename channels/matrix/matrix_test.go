package matrix

import (
	"github.com/outagecast/outagecast/redact"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/templates"
)

// confToken is the conformance run's access token: "/", "+" and "=" make
// its escaped and encoded forms differ from it.
const confToken = "syt_c3RhdHVz_Zk9/q+w==_3kT1"

// The conformance rooms: one by ID, one by alias.
var (
	confTargets = []string{"!ops7Kq:example.org", "#status:example.org"}
	confRooms   = map[string]string{"!ops7Kq:example.org": "!ops7Kq:example.org", "#status:example.org": "!Zb3xQw:example.org"}
)

func confConfig(homeserver string) Config {
	return Config{Name: "ops-matrix", Homeserver: homeserver, AccessToken: redact.NewSecret(confToken), Rooms: confTargets}
}

// newTestChannel returns a channel of cfg, closed when the test ends.
func newTestChannel(t *testing.T, cfg Config) *Channel {
	t.Helper()
	ch, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	return ch
}

func TestConformance(t *testing.T) {
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			f := newFakeServer(t, confToken, confRooms)
			return newTestChannel(t, confConfig(f.srv.URL)), f
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			return newTestChannel(t, confConfig(be.(*fakeServer).srv.URL))
		},
		OwnClient: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			f := newFakeServer(t, confToken, confRooms)
			return newTestChannel(t, confConfig(f.srv.URL)), f // its own client
		},
		Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
			return newTestChannel(t, confConfig(serverURL))
		},
		Secrets:   []string{confToken},
		Config:    confConfig("https://matrix.example.org"),
		MaxLength: MaxEventBytes,
		Measure:   templates.Bytes,
		ThreadsTo: channeltest.Root,
		Targets:   confTargets,
		Posts:     true,
		Keyed:     true,
		Failures: []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
			channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho,
			channeltest.FailForeign, channeltest.FailEchoDelivered},
		ServerField:     "Config.Homeserver",
		CredentialField: "Config.AccessToken",
	})
}
