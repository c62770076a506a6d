package broadcast_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// splitFan fans out to targets, failing those of fail, and returns its
// Fanout's error joined to the rest of an echo, redacted: the last
// failed target's error ends in the first line of a token's base64 as
// MIME wraps it, the join's next part holds the rest.
type splitFan struct {
	targets []string
	fail    map[string]error
	rest    string
	r       *redact.Redactor

	mu    sync.Mutex
	tried map[string]int
}

func (c *splitFan) Name() string { return "fan" }

func (c *splitFan) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.targets)
	for _, i := range f.Todo() {
		t := c.targets[i]
		c.mu.Lock()
		c.tried[t]++
		c.mu.Unlock()
		if err := c.fail[t]; err != nil {
			f.Report(i, err)
		} else {
			f.Posted(i, broadcast.Receipt{ID: t})
		}
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, c.r.Error(errors.Join(err, errors.New(c.rest)))
	}
	return f.Receipt(), nil
}

// A channel's redacted error that joins its Fanout's TargetsError to a
// part holding the rest of a token the last target's error begins still
// tells the Broadcaster which target is pending and which refused: the
// pending one is retried, the refused one and the delivered one are not
// tried again, and the Result lists each as the Fanout said. (Review of
// the redaction of such a join: no defect found.)
func TestRedactedJoinSplittingATokenKeepsTargetsOutcomes(t *testing.T) {
	token := "Zq8vK2mW9xR4-tok-a1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVwXyZ-0123456789"
	b64 := base64.StdEncoding.EncodeToString([]byte(token))
	ch := &splitFan{targets: []string{"a", "b", "c"}, rest: b64[76:], tried: map[string]int{},
		fail: map[string]error{"b": errors.New("503 Service Unavailable"),
			"c": broadcast.Permanent(errors.New("403 echoed:\n" + b64[:76]))},
		r: redact.NewRedactor(redact.NewSecret(token))}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 2}}, ch)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	res := rep.Results[0]
	for _, text := range []string{err.Error(), res.Err.Error()} {
		assert.NotContains(t, text, b64[:60])
		assert.NotContains(t, text, b64[76:])
	}
	assert.Equal(t, map[string]int{"a": 1, "b": 2, "c": 1}, ch.tried, "b retried; a and c not")
	assert.Equal(t, []string{"a"}, res.Delivered)
	if assert.Len(t, res.Pending, 1) {
		assert.Equal(t, "b", res.Pending[0].Target)
	}
	if assert.Len(t, res.Failures, 1) {
		assert.Equal(t, "c", res.Failures[0].Target)
	}
	var te *broadcast.TargetsError
	require.ErrorAs(t, res.Err, &te)
	assert.Equal(t, 3, te.Total)
	assert.False(t, strings.Contains(te.Error(), b64[:60]))
	assert.Contains(t, te.Error(), redact.Redacted+": "+redact.Redacted, "the copy hides its targets: the parts split the token")
}

// splitRetract is a channel whose Retract returns its TargetsError joined
// to the rest of an echo, redacted: the target's error ends in the first
// line of a token's base64 as MIME wraps it, the join's next part holds
// the rest.
type splitRetract struct {
	sharedTargetsError
	rest string
	r    *redact.Redactor
}

func (c *splitRetract) Retract(context.Context, broadcast.Receipt) error {
	return c.r.Error(errors.Join(c.te, errors.New(c.rest)))
}

// The Retract error of a channel's redacted join whose parts split a
// token said "2 targets not delivered": the redaction gives the join's
// TargetsError as a copy whose targets show as REDACTED, whose text is
// not in the join's, so the Retract's wording, which replaced the
// TargetsError's text in the channel's, found nothing to replace. It
// counts the posts not deleted, as for any other Retract's error.
func TestRedactedJoinSplittingATokenSaysPostNotDeleted(t *testing.T) {
	token := "Zq8vK2mW9xR4-tok-a1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVwXyZ-0123456789"
	b64 := base64.StdEncoding.EncodeToString([]byte(token))
	te := &broadcast.TargetsError{Total: 2, Failures: []broadcast.TargetFailure{
		{Target: "us", Err: broadcast.Permanent(errors.New("403 echoed:\n" + b64[:76]))}}}
	ch := &splitRetract{sharedTargetsError: sharedTargetsError{te: te}, rest: b64[76:],
		r: redact.NewRedactor(redact.NewSecret(token))}
	_, rep, err := sendThenRetract(t, ch)
	require.Error(t, err)
	res := rep.Results[0].Err
	require.Error(t, res)
	assert.NotContains(t, res.Error(), b64[:60])
	assert.NotContains(t, res.Error(), b64[76:])
	assert.True(t, strings.HasPrefix(res.Error(), "post not deleted on 1 of 2 targets (0 pending, 1 failed permanently)"), res.Error())
	assert.NotContains(t, res.Error(), "not delivered")
	var got *broadcast.TargetsError
	require.ErrorAs(t, res, &got)
	assert.True(t, strings.HasPrefix(got.Error(), "post not deleted on 1 of 2 targets"), got.Error())
}
