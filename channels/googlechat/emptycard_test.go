package googlechat

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// A text that shows nothing, with a card that would make the message
// longer than 32,000 bytes (advice far past broadcast's limit, in a
// Message built without the Broadcaster), is not posted: the card cannot
// be left out, as the message would be empty, which Google refuses for
// good ("Message cannot be empty"). Send and Preview fail for good before
// posting, naming the cause. Before, the card was left out and the empty
// message posted.
func TestBlankTextWithCardTooLarge(t *testing.T) {
	set, err := templates.Default().With("googlechat", "{{.Body}}")
	require.NoError(t, err)
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, func(c *Config) { c.Templates = set })
	u := fullUpdate
	u.Body, u.Advice = "", strings.Repeat("Retry. ", 5000)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.Regexp(t, `^googlechat: encode: the card makes the message \d+ bytes, more than 32000, `+
		`and the text shows nothing to post without it$`, err.Error())
	assert.Empty(t, f.sent(), "nothing posted")
	_, perr := ch.Preview(u)
	require.Error(t, perr, "Preview says so too")
	assert.Equal(t, err.Error(), perr.Error())

	u.Body = "Retry failed requests."
	send(t, ch, broadcast.NewMessage(u))
	sent := f.sent()
	require.Len(t, sent, 1, "a text that shows something is posted without the card")
	assert.Equal(t, "Retry failed requests.", sent[0].body["text"])
	assert.Nil(t, sent[0].body["cardsV2"])
}
