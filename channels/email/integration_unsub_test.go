//go:build integration

package email_test

import (
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// TestMailpitUnsubscribeFunc: with a ListUnsubscribeFunc, the fields made
// once a connection is there, from several goroutines, reach a real
// server over several connections, each recipient's message with its
// own one-click link, which Mailpit's checker reads without complaint; a
// second Send, over the connections the first kept, calls the function
// again for each recipient, and each gets that update once.
func TestMailpitUnsubscribeFunc(t *testing.T) {
	mp := newMailpit(t)
	to := []string{"alice@example.net", "bob@example.org", "carol@example.com", "dave@example.net", "erin@example.org"}
	cfg := mp.config(to...)
	cfg.ListUnsubscribe = ""
	cfg.Concurrency = 3
	var calls atomic.Int32
	link := func(r string) string {
		return "https://status.example.com/unsubscribe?token=signed-" + strings.ReplaceAll(r, "@", "-") + "&email=" + url.QueryEscape(r)
	}
	cfg.ListUnsubscribeFunc = func(r string) string {
		calls.Add(1)
		return link(r)
	}
	ch := newChannel(t, cfg)
	send(t, ch, broadcast.Message{Update: incident(1)})
	send(t, ch, broadcast.Message{Update: incident(2)})
	assert.Equal(t, int32(2*len(to)), calls.Load(), "one call per recipient and Send")

	per := map[string]int{}
	for _, m := range mp.messages(2 * len(to)) {
		require.Len(t, m.To, 1)
		r := m.To[0].Address
		per[r]++
		assert.Empty(t, m.ListUnsubscribe.Errors, r)
		assert.Equal(t, []string{link(r)}, m.ListUnsubscribe.Links, r)
		assert.Equal(t, "List-Unsubscribe=One-Click", m.ListUnsubscribe.HeaderPost, r)
	}
	for _, r := range to {
		assert.Equal(t, 2, per[r], r)
	}
}
