//go:build integration

package irc

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ngIRCd names its membership symbols in RPL_ISUPPORT, PREFIX=(qaohv)~&@%+
// (src/ngircd/numeric.c, since release 19): after registering, the
// connection reads a nick NAMES shows with any of them as one with voice or
// more. (ngIRCd has no echo-message, so its Sends never ask NAMES; this is
// the part of that check a real server can show.)
func TestIntegrationISupportPrefix(t *testing.T) {
	addr := os.Getenv("OUTAGECAST_IRC_ADDR")
	if addr == "" {
		t.Fatal("OUTAGECAST_IRC_ADDR is not set: start the server with eval \"$(scripts/ngircd.sh start)\"")
	}
	s, err := newSettings(Config{Server: addr, TLS: TLSOff, Nick: "isupport" + time.Now().Format("150405"), Channels: []string{"#isupport"}})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var ranks string
	require.NoError(t, runOnce(ctx, s, func(ss *session) error {
		if err := ss.probe(); err != nil { // RPL_ISUPPORT comes before the PONG
			return err
		}
		ss.c.mu.Lock()
		defer ss.c.mu.Unlock()
		ranks = ss.c.ranks
		return nil
	}))
	assert.Equal(t, "~&@%+", ranks)
	c := &conn{ranks: ranks}
	for name, want := range map[string]bool{"~bot": true, "&bot": true, "@bot": true, "%bot": true, "+bot": true, "@+bot": true, "bot": false} {
		nick, ranked := c.rank(name)
		assert.Equal(t, "bot", nick, name)
		assert.Equal(t, want, ranked, name)
	}
}
