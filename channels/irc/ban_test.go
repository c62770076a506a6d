package irc_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A server that bans the bot's host (a K-, G- or Z-line) closes the
// connection with an ERROR that says so, without the 465 that Solanum
// sends first: ngIRCd, InspIRCd and UnrealIRCd name only the ban there.
// No retry within the Broadcaster's minutes gets past an operator's ban;
// reconnecting to a server that banned the host only makes it look worse.
// The error is permanent and keeps the server's text.
func TestBannedConnection(t *testing.T) {
	for _, bye := range []string{
		`"Spamming" (G-Line)`, // ngIRCd
		`"Spamming" (K-Line)`,
		"Closing link: (statusbot@127.0.0.1) [K-Lined: Spamming]", // InspIRCd
		"Closing link: (statusbot@127.0.0.1) [Z-Lined: Spamming]",
		"Closing Link: statusbot[127.0.0.1] (User has been permanently banned from fake.test (Spamming))", // UnrealIRCd
		// A host or a ban's reason that holds "killed" is no kill.
		"Closing Link: statusbot[skilled.example.net] (K-Lined)",
		"Closing Link: statusbot[127.0.0.1] (K-Lined: you were killed for spam)",
	} {
		t.Run(bye, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{refuse: bye})
			ch := newChannel(t, testConfig(srv.addr()))
			for _, call := range []func() error{
				func() error { _, err := ch.Send(context.Background(), message(sampleUpdate())); return err },
				func() error { return ch.Check(context.Background()) },
			} {
				err := call()
				require.Error(t, err)
				assert.Contains(t, err.Error(), "irc: connection closed by the server: "+bye)
				assert.True(t, broadcast.IsPermanent(err), "a ban: %q", err)
			}
		})
	}
	// A server going away is no ban, nor a host whose name ends like
	// one, nor an operator's kill whose reason names one.
	for _, bye := range []string{
		"Closing Link: statusbot[127.0.0.1] (Server off-line)",
		"Closing Link: statusbot[ci.red-line.example] (Ping timeout: 240 seconds)",
		"Closing Link: statusbot[127.0.0.1] (Killed (oper (stop the g-line spam talk)))",
	} {
		srv := newFakeServer(t, fakeOptions{refuse: bye})
		err := newChannel(t, testConfig(srv.addr())).Check(context.Background())
		require.Error(t, err)
		assert.False(t, broadcast.IsPermanent(err), "%q", bye)
	}
}
