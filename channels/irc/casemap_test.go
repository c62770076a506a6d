package irc_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
)

// Names that only some casemappings fold alike are two channels on other
// servers: New takes them, and each server decides by its own
// RPL_ISUPPORT CASEMAPPING whether they are one channel, posted to once,
// or two, each posted to. The fake server holds channels by their exact
// name, so a name posted to under its own spelling shows there.
func TestChannelsFoldAsTheServerSays(t *testing.T) {
	tests := []struct {
		name     string
		casemap  string // the 005 token; "" keeps the fake's CASEMAPPING=rfc1459
		channels []string
		posted   []string // the names lines went to, each once
		not      []string // names none went to
	}{
		{"rfc1459: [ and { are one", "", []string{"#a[", "#A{"}, []string{"#a["}, []string{"#A{"}},
		{"ascii: [ and { are two", "CASEMAPPING=ascii", []string{"#a[", "#a{"}, []string{"#a[", "#a{"}, nil},
		{"strict-rfc1459: ~ and ^ are two", "CASEMAPPING=strict-rfc1459", []string{"#a~", "#a^", "#b\\", "#B|"}, []string{"#a~", "#a^", "#b\\"}, []string{"#B|"}},
		{"rfc8265: é and É are one", "CASEMAPPING=rfc8265", []string{"#Café", "#CAFÉ", "#x[", "#x{"}, []string{"#Café", "#x[", "#x{"}, []string{"#CAFÉ"}},
		{"ascii: é and É are two", "CASEMAPPING=ascii", []string{"#Café", "#CAFÉ"}, []string{"#Café", "#CAFÉ"}, nil},
		{"none named: as before, one", "-CASEMAPPING", []string{"#Café", "#cafe\u0301", "#o[", "#o{"}, []string{"#Café", "#o["}, []string{"#cafe\u0301", "#o{"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts fakeOptions
			if tt.casemap != "" {
				opts.isupport = []string{tt.casemap}
			}
			srv := newFakeServer(t, opts)
			cfg := testConfig(srv.addr())
			cfg.Channels = tt.channels
			ch := newChannel(t, cfg)
			m := message(sampleUpdate())

			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			for _, name := range tt.posted {
				assert.Len(t, srv.saidIn(name), 1, name)
			}
			for _, name := range tt.not {
				assert.Empty(t, srv.saidIn(name), name)
			}
			for _, name := range tt.channels {
				done, failure := m.Ledger.Done(name)
				assert.True(t, done, "%s delivered", name)
				assert.Empty(t, failure, name)
			}
			assert.Len(t, strings.Split(r.Meta["channels"], ","), len(tt.channels), "every channel is in the receipt: %q", r.Meta["channels"])
		})
	}
}

// The one post's failure is the failure of every name of its channel, and
// says which name was posted to.
func TestSameChannelSharesTheFailure(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#a[": "b"}}) // banned: 474, for good
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#ok", "#a[", "#a{"}
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())

	_, err := ch.Send(context.Background(), m)
	require.NoError(t, err, "#ok got it; the others failed for good")
	_, failure := m.Ledger.Done("#a{")
	assert.Contains(t, failure, "#a{ is #a[ on this server (CASEMAPPING rfc1459)")
	assert.Contains(t, failure, "474")
	_, failure = m.Ledger.Done("#a[")
	assert.Contains(t, failure, "474")
	assert.Empty(t, srv.saidIn("#a{"))
}

// New refuses only what every casemapping makes one channel: A-Z in
// either case.
func TestNewFoldsOnlyWhatEveryServerFolds(t *testing.T) {
	for _, pair := range [][2]string{{"#ops[eu]", "#OPS{EU}"}, {"#Café", "#CAFÉ"}, {"#café", "#cafe\u0301"}, {"#a~", "#a^"}} {
		cfg := validConfig()
		cfg.Channels = pair[:]
		_, err := irc.New(cfg)
		assert.NoError(t, err, "%q", pair)
	}
	cfg := validConfig()
	cfg.Channels = []string{"#Ops-EU", "#ops-eu"}
	_, err := irc.New(cfg)
	assert.ErrorContains(t, err, "irc: Config.Channels[1]: the same as Channels[0]")
}

// A name whose channel got the update under another name in an earlier
// attempt (cut short there by the pacing, say, or added to the Config
// since) is not posted to again on a server that takes both for one.
func TestSameChannelDeliveredEarlierIsNotPostedAgain(t *testing.T) {
	srv, m, _ := sendAfterSameChannelDelivered(t)
	assert.Len(t, srv.saidIn("#ok"), 1)
	assert.Empty(t, srv.saidIn("#a["))
	assert.Empty(t, srv.saidIn("#a{"), "CASEMAPPING=rfc1459: #a[ has it")
	done, failure := m.Ledger.Done("#a{")
	assert.True(t, done)
	assert.Empty(t, failure)
}

// The Receipt lists the channels posted to by the Send: a name counted
// delivered because its channel got the update under another name earlier
// is not among them, and gets no line count of 0.
func TestSameChannelDeliveredEarlierNotInReceipt(t *testing.T) {
	srv, _, r := sendAfterSameChannelDelivered(t)
	assert.Equal(t, map[string]string{"channels": "#ok", "lines": strconv.Itoa(len(srv.saidIn("#ok")))}, r.Meta)
}

// sendAfterSameChannelDelivered sends an update to "#ok", "#a[" and "#a{"
// (one channel under the fake server's rfc1459) with "#a[" marked
// delivered by an earlier attempt, and returns the server, the Message
// and the Receipt of the Send, which succeeded.
func sendAfterSameChannelDelivered(t *testing.T) (*fakeServer, broadcast.Message, broadcast.Receipt) {
	t.Helper()
	srv := newFakeServer(t, fakeOptions{})
	cfg := testConfig(srv.addr())
	cfg.Channels = []string{"#ok", "#a[", "#a{"}
	ch := newChannel(t, cfg)
	m := message(sampleUpdate())
	require.NoError(t, m.Ledger.MarkDelivered("#a["))
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	return srv, m, r
}

// A server that names no casemapping and ends its welcome with neither
// 376 nor 422 holds the first Send for welcomeWait at most, not for
// Config.Timeout, which the Broadcaster's attempt deadline (30s by
// default, as Timeout) would not leave: the update is delivered, its
// names folded the broad way.
func TestQuietWelcomeHoldsNoSendForTimeout(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{quietWelcome: true})
	cfg := testConfig(srv.addr())
	cfg.Timeout = time.Hour
	cfg.Channels = []string{"#ops"}
	ch := newChannel(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := ch.Send(ctx, message(sampleUpdate()))
	require.NoError(t, err, "delivered within the minute, not after Config.Timeout's hour")
	assert.NotEmpty(t, srv.saidIn("#ops"))
}
