package broadcast_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// redactingRegions is regions whose Retract redacts its error before
// returning it, as a channel does whose server echoes its token.
type redactingRegions struct {
	*regions
	r *redact.Redactor
}

func (c redactingRegions) Retract(ctx context.Context, prev broadcast.Receipt) error {
	return c.r.Error(c.regions.Retract(ctx, prev))
}

// A Retract that deleted the post on some targets and not on others, whose
// channel redacted the Fanout's error (a target's error echoed its token),
// still tells the Broadcaster where it deleted the post: the redacted copy
// of the TargetsError names those targets as the original does. Before,
// redaction dropped them, so the Broadcaster recorded no partial deletion
// and an older update was superseded on every target, as after a Retract
// that deleted nothing.
func TestOlderUpdateAfterAPartlyFailedRedactedRetract(t *testing.T) {
	const token = "s3cr3t-t0ken-123456"
	ch := &regions{name: "chat", regions: []string{"eu", "us", "ap"},
		undeletable: map[string]error{"us": broadcast.Permanent(errors.New("403 Forbidden for token " + token))}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}},
		redactingRegions{ch, redact.NewRedactor(redact.NewSecret(token))})
	ctx := context.Background()
	older, newer := olderAndNewer("newer")
	older.ID = "older"

	_, err := b.Send(ctx, newer)
	require.NoError(t, err)
	_, err = b.Retract(ctx, "newer")
	require.Error(t, err, "us kept the post")
	assert.NotContains(t, err.Error(), token)

	rep, err := b.Send(ctx, older)
	require.NoError(t, err)
	res := rep.Results[0]
	assert.False(t, res.Superseded, "the newer post is gone from eu and ap")
	assert.ElementsMatch(t, []string{"eu", "ap"}, res.Delivered)
	assert.Equal(t, []string{"us"}, res.SupersededTargets, "the newer post is still up on us")
	assert.Equal(t, []string{"newer"}, ch.postedTo("us"))
}
