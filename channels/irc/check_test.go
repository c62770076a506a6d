package irc_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Check while a Send is under way waits for the Send's turn, as another
// Send does: the bot never holds two connections (two nicks) at once,
// where the second would find the nick in use and register on an
// alternate, or, on a persistent Channel, send its lines on the kept
// connection between the Send's and read the Send's replies. A persistent
// Channel's Check uses the kept connection.
func TestCheckWaitsForTheSend(t *testing.T) {
	for _, persistent := range []bool{false, true} {
		t.Run(fmt.Sprintf("persistent %v", persistent), func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{modes: map[string]string{"#ops": "x"}}) // the JOIN is never answered
			cfg := testConfig(srv.addr())
			cfg.Timeout, cfg.Persistent = time.Second, persistent
			ch := newChannel(t, cfg)
			sent := make(chan error, 1)
			go func() {
				_, err := ch.Send(context.Background(), message(sampleUpdate()))
				sent <- err
			}()
			for len(srv.commands("JOIN")) == 0 { // the Send waits for the JOIN's answer
				time.Sleep(time.Millisecond)
			}
			require.NoError(t, ch.Check(context.Background()))
			assert.Error(t, <-sent, "the JOIN went unanswered")
			assert.Equal(t, 1, srv.mostOpen(), "connections open at once")
			assert.Empty(t, srv.commands("NICK statusbot_"), "no alternate nick")
			if persistent {
				assert.Equal(t, 1, srv.connections(), "the kept connection checked")
			}
		})
	}
}
