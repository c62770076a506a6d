package slack

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// testToken is the bot token of the tests; hookSecret is the secret
// segment of the incoming webhook's path.
const (
	testToken  = "xoxb-2741914230-5519036117-kR7vQ2mZpL9sX4cW1nB8tYe3"
	hookSecret = "Wq8zN3vX6bR1tY4uP7sK2mLc"
)

// allFailures are the failures the fake injects.
var allFailures = []channeltest.Failure{channeltest.FailTransient, channeltest.FailRateLimited,
	channeltest.FailUnauthorized, channeltest.FailRejected, channeltest.FailEcho, channeltest.FailForeign,
	channeltest.FailEchoDelivered}

// newTestChannel returns a channel of cfg posting to a fake Slack with
// the conversations of cfg.Channels; cfg.Token defaults to testToken.
func newTestChannel(t *testing.T, cfg Config) (*Channel, *fakeSlack) {
	t.Helper()
	f := newFakeSlack(t, testToken, cfg.Channels...)
	return reopenOn(t, cfg, f), f
}

// reopenOn is a channel of cfg on f, with the fake's address and token
// filled in as newTestChannel fills them: the channel of a new process.
func reopenOn(t *testing.T, cfg Config, f *fakeSlack) *Channel {
	t.Helper()
	if cfg.WebhookURL.IsZero() {
		if cfg.Token.IsZero() {
			cfg.Token = redact.NewSecret(testToken)
		}
		cfg.BaseURL = f.srv.URL + "/api/"
	}
	ch, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	return ch
}

// hookConfig is the Config of the fake's incoming webhook.
func hookConfig(f *fakeSlack) Config {
	return Config{Name: "status-hook", WebhookURL: redact.NewURL(f.srv.URL + f.hook)}
}

// One conversation, by name: threads under the root, edits, deletes.
func TestConformance(t *testing.T) {
	cfg := Config{Name: "ops-slack", Token: redact.NewSecret(testToken), Channels: []string{"#ops"}}
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			return newTestChannel(t, Config{Name: cfg.Name, Channels: cfg.Channels})
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			return reopenOn(t, Config{Name: cfg.Name, Channels: cfg.Channels}, be.(*fakeSlack))
		},
		OwnClient: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			return newTestChannel(t, Config{Name: cfg.Name, Channels: cfg.Channels}) // its own client
		},
		Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
			c := cfg
			c.BaseURL = serverURL + "/api/"
			return untrusted(t, c)
		},
		Secrets:         []string{testToken},
		Config:          cfg,
		MaxLength:       MaxSectionText,
		Measure:         utf16Len,
		ThreadsTo:       channeltest.Root,
		Failures:        allFailures,
		ServerField:     "Config.BaseURL",
		CredentialField: "Config.Token",
	})
}

// Three conversations: the fan-out rules. Each conversation threads
// under its own root, which TestThreadInEveryConversation checks too.
func TestConformanceFanout(t *testing.T) {
	cfg := Config{Name: "ops-slack", Token: redact.NewSecret(testToken), Channels: []string{"#ops", "C0STATUS02", "eng"}}
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			return newTestChannel(t, Config{Name: cfg.Name, Channels: cfg.Channels})
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			return reopenOn(t, Config{Name: cfg.Name, Channels: cfg.Channels}, be.(*fakeSlack))
		},
		Secrets:         []string{testToken},
		Config:          cfg,
		MaxLength:       MaxSectionText,
		Measure:         utf16Len,
		ThreadsTo:       channeltest.Root,
		Targets:         cfg.Channels,
		Posts:           true,
		Failures:        allFailures,
		ServerField:     "Config.BaseURL",
		CredentialField: "Config.Token",
	})
}

// The incoming webhook's channel, as the Broadcaster sees what it does:
// a channel that cannot edit or delete. Its Edit posts the correction and
// its Retract is not supported, exactly as the Broadcaster treats a
// channel that is neither (TestWebhookMode checks both), so the harness
// hides them from the suite.
func TestConformanceWebhook(t *testing.T) {
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			f := newFakeSlack(t, testToken)
			ch, err := New(hookConfig(f))
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			return struct {
				broadcast.Channel
				broadcast.Previewer
				broadcast.Checker
			}{ch, ch, ch}, f
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			return reopenOn(t, hookConfig(be.(*fakeSlack)), be.(*fakeSlack))
		},
		Untrusted: func(t *testing.T, serverURL string) broadcast.Channel {
			return untrusted(t, Config{Name: "status-hook",
				WebhookURL: redact.NewURL(serverURL + "/services/T0TEST0001/B0HOOK0001/" + hookSecret)})
		},
		Secrets:         []string{hookSecret, "/services/T0TEST0001/B0HOOK0001/" + hookSecret},
		Config:          Config{WebhookURL: redact.NewURL("https://hooks.slack.com/services/T0TEST0001/B0HOOK0001/" + hookSecret)},
		MaxLength:       MaxSectionText,
		Measure:         utf16Len,
		Failures:        allFailures,
		ServerField:     "Config.WebhookURL",
		CredentialField: "Config.WebhookURL",
	})
}

// untrusted is a channel of cfg with its own client, closed when the test
// ends: Harness.Untrusted.
func untrusted(t *testing.T, cfg Config) broadcast.Channel {
	ch, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	return ch
}

// update returns an incident update for the tests, told apart by n.
func update(n int, status broadcast.Status) broadcast.Update {
	return broadcast.Update{IncidentID: "cdn-errors", ID: "u" + string(rune('0'+n)), Title: "Elevated error rates on the CDN",
		Status: status, Impact: broadcast.ImpactMajor, Body: "We are looking into elevated error rates.",
		URL:  "https://status.example.com/incidents/42",
		Time: time.Date(2025, 3, 14, 9, 26+n, 0, 0, time.UTC)}
}

// stored completes r as the Broadcaster stores it.
func stored(r broadcast.Receipt, u broadcast.Update) broadcast.Receipt {
	r.UpdateID, r.UpdateTime = u.ID, u.Time
	return r
}

// send sends u with thread and returns the stored receipt.
func send(t *testing.T, ch *Channel, u broadcast.Update, thread broadcast.Thread) broadcast.Receipt {
	t.Helper()
	m := broadcast.NewMessage(u)
	m.Thread = thread
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	return stored(r, m.Update)
}
