package slack

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// paste adds n top-level messages of people to target's conversation,
// each text long: logs pasted during an incident.
func (f *fakeSlack) paste(target string, n int, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.msgs = append(f.msgs, &fakeMsg{target: target, channel: f.resolve(target), ts: f.nextTS(), text: text})
	}
}

// People paste long logs into an incident's conversation: a page of the
// history holding the earlier attempt's post runs to far more than a
// post's answer (Slack takes 40,000 characters of text a message). The
// retry reads the page whole and finds the post, rather than posting the
// update twice.
func TestLongMessagesInHistoryFoundOnRetry(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"C0ENG00003"}})
	atFakeTime(ch, f)
	f.failAfterPost("C0ENG00003", "internal_error")
	m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	f.failAfterPost("C0ENG00003", "")
	f.paste("C0ENG00003", lookLimit-1, strings.Repeat("GET /api/v1/orders 503 upstream timeout\n", MaxText/40))

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, 1, ours(f, "C0ENG00003"), "the update is in the conversation once")
	assert.NotContains(t, r.Meta, MetaLookupError+"C0ENG00003")
}
