package slack

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The Broadcaster takes an Update.Time up to 5 minutes ahead of its
// machine's clock (a clock running fast, or a Time written on another
// machine): the earlier attempt's post, made when Slack's clock was that
// much behind the Time, is still in the look-up's window, and the retry
// finds it rather than posting the update twice.
func TestTimeAheadOfSlackFoundOnRetry(t *testing.T) {
	ch, f := newTestChannel(t, Config{Channels: []string{"C0ENG00003"}})
	atFakeTime(ch, f) // Slack posts at 09:30, the retry comes at 09:40
	f.failAfterPost("C0ENG00003", "internal_error")
	u := update(1, broadcast.StatusInvestigating)
	u.Time = time.Date(2025, 3, 14, 9, 34, 0, 0, time.UTC) // 4 minutes ahead of Slack's clock
	m := broadcast.NewMessage(u)
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	f.failAfterPost("C0ENG00003", "")

	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, 1, ours(f, "C0ENG00003"), "the update is in the conversation once")
	assert.NotContains(t, r.Meta, MetaLookupError+"C0ENG00003")
}
