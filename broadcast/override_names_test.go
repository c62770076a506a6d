package broadcast_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An override whose name matches no channel is a typo ("twiter"): Send,
// Correct, Jobs and Preview refuse it, naming it and the channels, rather
// than post the template everywhere without a word.
func TestOverrideForNoChannelRefused(t *testing.T) {
	x, mail := &script{name: "twitter"}, &script{name: "email"}
	b := newBroadcaster(t, broadcast.Options{}, x, mail)
	u := validUpdate()
	u.Overrides = map[string]string{"twitter": "Short.", "twiter": "Typo."}
	ctx := context.Background()

	_, sendErr := b.Send(ctx, u)
	_, corrErr := b.Correct(ctx, "u-1", u)
	_, jobsErr := b.Jobs(broadcast.JobSend, u, "")
	_, pvErr := b.Preview(u)
	for name, err := range map[string]error{"Send": sendErr, "Correct": corrErr, "Jobs": jobsErr, "Preview": pvErr} {
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, name)
		assert.ErrorContains(t, err, `Overrides["twiter"]: no channel of that name; the channels are "twitter", "email"`, name)
	}
	assert.Zero(t, x.count()+mail.count(), "no channel is called")

	u.Overrides = map[string]string{"twitter": "Short."}
	_, err := b.Send(ctx, u)
	assert.NoError(t, err, "an override for a channel of the Broadcaster is fine")
}

// The list of channels in the error is cut: a Broadcaster may have many.
func TestOverrideForNoChannelListCut(t *testing.T) {
	var chs []broadcast.Channel
	for i := range 40 {
		chs = append(chs, &script{name: fmt.Sprintf("hook-%02d", i)})
	}
	b := newBroadcaster(t, broadcast.Options{}, chs...)
	u := validUpdate()
	u.Overrides = map[string]string{"hook-99": "Text."}
	_, err := b.Send(context.Background(), u)
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.ErrorContains(t, err, `"hook-00", "hook-01"`)
	assert.ErrorContains(t, err, "and 30 more")
	assert.NotContains(t, err.Error(), "hook-39")
	assert.Less(t, len(err.Error()), 400, "%s", err)
	assert.False(t, strings.Contains(err.Error(), "\n"))
}
