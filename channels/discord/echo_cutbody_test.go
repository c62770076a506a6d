package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A 2xx answer cut at the limit that ends in the start of the webhook's
// token (an echo of the request after a page of blanks, which the error's
// snippet folds into one) leaves no part of the token in the error, as a
// cut error answer does not. Before, the snippet of a 2xx was redacted as
// a whole text, which cannot tell the start of a token from other text.
func TestCutAnswerEndingInTokenHead(t *testing.T) {
	body := strings.Repeat(" ", responseLimit-12) + testToken + `"}`
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	r := send(t, ch, fullUpdate, broadcast.Thread{})

	f.answer(canned{status: 200, body: body})
	err := ch.Retract(context.Background(), r)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testToken[:12])

	f.answer(canned{status: 200, body: body})
	err = ch.Check(context.Background())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testToken[:12])
}
