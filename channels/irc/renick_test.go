package irc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A retry often registers on another nick than the attempt it follows: a
// connection lost without a QUIT holds the nick on the server until its
// ping timeout, and the retry takes an alternate ("statusbot_"); or the
// attempt before was on an alternate, and the retry gets the nick back.
// The server's prefix then differs in length, but the lines must be split
// as before, or the lines the server relayed before the connection was
// lost (recorded, as echo-message showed them) would not be recognised,
// and the channel's members would read them twice.
func TestPartialRelayResumesOnAnotherNick(t *testing.T) {
	for _, held := range []string{"first attempt", "retry"} {
		t.Run("alternate nick on the "+held, func(t *testing.T) {
			opts := fakeOptions{echoMessage: true, dropAfter: map[string]int{"#ops": 2}}
			if held == "first attempt" {
				opts.nicksHeld = map[string]int{"statusbot": 4} // every ask of the first connection
			} else {
				opts.holdOnDrop = true
			}
			srv := newFakeServer(t, opts)
			ch := newChannel(t, testConfig(srv.addr()))
			u := sampleUpdate()
			u.Overrides = map[string]string{"irc": strings.Repeat("x", 1500)} // lines as long as the prefix allows
			b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{
				Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
			require.NoError(t, err)
			t.Cleanup(func() { _ = b.Close() })

			rep, err := b.Send(context.Background(), u)
			require.NoError(t, err)
			assert.Equal(t, 2, rep.Results[0].Attempts, "the connection was lost once")
			speakers := srv.speakersOf()
			require.NotEmpty(t, speakers)
			assert.NotEqual(t, speakers[0], speakers[len(speakers)-1], "the retry posts on another nick")
			said := strings.Join(srv.saidIn("#ops"), "")
			assert.Equal(t, 1500, len(said), "bytes posted: each line once, none twice")
		})
	}
}
