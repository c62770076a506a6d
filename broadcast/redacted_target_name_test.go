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

// nameToken is a secret that a target's name holds: a channel's Redactor
// knows it, so the text of the channel's Fanout error, which names the
// target, holds it.
const nameToken = "n4m3-t0ken-987654"

// failingFan fans out to targets, failing those of fail with their
// error, and redacts its error with r, as a channel does whose server
// echoes its token.
type failingFan struct {
	targets []string
	fail    map[string]error
	r       *redact.Redactor
}

func (c *failingFan) Name() string { return "fan" }

func (c *failingFan) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.targets)
	for _, i := range f.Todo() {
		if err := c.fail[c.targets[i]]; err != nil {
			f.Report(i, err)
		} else {
			f.Posted(i, broadcast.Receipt{ID: c.targets[i]})
		}
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, c.r.Error(err)
	}
	return f.Receipt(), nil
}

// A partly failed Send whose redacted Fanout error named a target whose
// name holds a secret the channel's Redactor knows still tells the
// Broadcaster which target is pending and which failed: the redacted
// error unwraps to a copy of the TargetsError whose text hides the
// name, and whose fields keep it. Before, redaction kept no
// TargetsError at all: the Result listed no pending target, and
// errors.As found none in its error.
func TestRedactedSendKeepsTargetsNamedWithASecret(t *testing.T) {
	pending, failed := "hook-"+nameToken, "room-"+nameToken+"-2"
	ch := &failingFan{targets: []string{"a", pending, failed},
		fail: map[string]error{pending: errors.New("503 Service Unavailable"),
			failed: broadcast.Permanent(errors.New("403 Forbidden"))},
		r: redact.NewRedactor(redact.NewSecret(nameToken))}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), nameToken)
	res := rep.Results[0]
	assert.NotContains(t, res.Err.Error(), nameToken)
	assert.Equal(t, []string{"a"}, res.Delivered)
	if assert.Len(t, res.Pending, 1, "the pending target") {
		assert.Equal(t, pending, res.Pending[0].Target)
	}
	if assert.Len(t, res.Failures, 1, "the target refused for good") {
		assert.Equal(t, failed, res.Failures[0].Target)
	}
	var te *broadcast.TargetsError
	require.ErrorAs(t, res.Err, &te, "the redacted copy")
	assert.Equal(t, 3, te.Total)
	assert.NotContains(t, te.Error(), nameToken)
	assert.Contains(t, te.Error(), "hook-"+redact.Redacted+": 503 Service Unavailable")
}

// A Retract that deleted the post on some targets and not on one whose
// name holds the channel's secret, redacted, still tells the
// Broadcaster where it deleted the post (the copy of the TargetsError
// keeps the targets done), as TestOlderUpdateAfterAPartlyFailedRedactedRetract
// checks for a secret in a target's error. Before, the older update was
// superseded on every target.
func TestOlderUpdateAfterARedactedRetractOfATargetNamedWithASecret(t *testing.T) {
	us := "us-" + nameToken
	ch := &regions{name: "chat", regions: []string{"eu", us, "ap"},
		undeletable: map[string]error{us: broadcast.Permanent(errors.New("403 Forbidden"))}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}},
		redactingRegions{ch, redact.NewRedactor(redact.NewSecret(nameToken))})
	ctx := context.Background()
	older, newer := olderAndNewer("newer")
	older.ID = "older"

	_, err := b.Send(ctx, newer)
	require.NoError(t, err)
	_, err = b.Retract(ctx, "newer")
	require.Error(t, err, "us kept the post")
	assert.NotContains(t, err.Error(), nameToken)

	rep, err := b.Send(ctx, older)
	require.NoError(t, err)
	res := rep.Results[0]
	assert.False(t, res.Superseded, "the newer post is gone from eu and ap")
	assert.ElementsMatch(t, []string{"eu", "ap"}, res.Delivered)
	assert.Equal(t, []string{us}, res.SupersededTargets, "the newer post is still up on us")
}
