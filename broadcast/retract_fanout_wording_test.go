package broadcast_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// relayCount is what a relay in front of a target answers of its own
// fan-out: the words a Fanout's error of one target refused of two reads.
const relayCount = "1 of 2 targets not delivered (0 pending, 1 failed permanently)"

// quotingFan deletes through a Fanout, as every adapter with targets does:
// a's post is deleted, b refuses with the words of a relay in front of it
// (relayCount, then an echo ending in the first line of a token's base64
// as MIME wraps it). Its error leads with the relay's words, and joins the
// Fanout's error to the rest of the echo, redacted.
type quotingFan struct {
	sharedTargetsError
	echo, rest string
	r          *redact.Redactor
}

func (c *quotingFan) Retract(context.Context, broadcast.Receipt) error {
	targets := []string{"a", "b"}
	f := broadcast.NewFanout(broadcast.Message{}, targets)
	for _, i := range f.Todo() {
		if targets[i] == "b" {
			f.Report(i, broadcast.Permanent(fmt.Errorf("403 relay: %q, echoed:\n%s", relayCount, c.echo)))
			continue
		}
		f.Report(i, nil)
	}
	return c.r.Error(fmt.Errorf("fan: retract: relay: %q: %w", relayCount, errors.Join(f.Err(), errors.New(c.rest))))
}

// The Retract error of a channel deleting through a Fanout, whose text
// quotes a relay's "1 of 2 targets not delivered" before the Fanout's own
// count, said "post not deleted" in the quote and left the real count
// saying "not delivered": the redacted copy of the Fanout's TargetsError
// is not in the text, and the wording was put in place of the first text
// reading as its count. A Fanout's TargetsError of a Retract now says
// "post not deleted" itself, and the quote is left as it is.
func TestRetractOfFanoutQuotingACountRewordsOnlyItsOwn(t *testing.T) {
	token := "Zq8vK2mW9xR4-tok-a1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVwXyZ-0123456789"
	b64 := base64.StdEncoding.EncodeToString([]byte(token))
	ch := &quotingFan{echo: b64[:76], rest: b64[76:], r: redact.NewRedactor(redact.NewSecret(token))}
	_, rep, err := sendThenRetract(t, ch)
	require.Error(t, err)
	res := rep.Results[0].Err
	require.Error(t, res)
	text := res.Error()
	assert.NotContains(t, text, b64[:60])
	assert.NotContains(t, text, b64[76:])
	want := fmt.Sprintf("fan: retract: relay: %q: post not deleted on 1 of 2 targets (0 pending, 1 failed permanently)", relayCount)
	assert.True(t, strings.HasPrefix(text, want), "%s", text)
	assert.Equal(t, 1, strings.Count(text, "post not deleted"), "%s", text)
	var te *broadcast.TargetsError
	require.ErrorAs(t, res, &te)
	assert.True(t, strings.HasPrefix(te.Error(), "post not deleted on 1 of 2 targets"), te.Error())
	if assert.Len(t, te.Failures, 1) {
		assert.Equal(t, "b", te.Failures[0].Target)
	}
}
