package channeltest

import (
	"context"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/outagecast/outagecast/broadcast"
)

// The suite's own updates must be valid, or a failure would blame the
// channel for the suite's mistake.
func TestFixturesValid(t *testing.T) {
	long := update(1)
	long.Body = longBody()
	uni := update(1)
	uni.Title, uni.Body = unicodeTitle, unicodeBody
	over := fullUpdate(2)
	over.Overrides["ops-chat"] = overrideText
	fix := correction(message(update(1)), 90).Update
	assert.Equal(t, message(update(1)).Update.ID, fix.Corrects, "a correction names the update it corrects")
	for name, u := range map[string]broadcast.Update{
		"update": update(concurrentSends), "full": fullUpdate(1), "long": long, "unicode": uni, "override": over,
		"correction": fix,
	} {
		assert.NoError(t, u.Validate(), name)
		assert.NoError(t, message(u).Update.Validate(), name)
	}
	assert.Equal(t, broadcast.MaxBodyLength, utf8.RuneCountInString(long.Body))
	assert.True(t, norm.NFC.IsNormalString(unicodeTitle), "unicodeTitle in NFC")
	assert.True(t, norm.NFC.IsNormalString(unicodeBody), "unicodeBody in NFC")
	assert.NotEqual(t, unicodeBody, norm.NFD.String(unicodeBody), "unicodeBody has marks NFD decomposes")
}

func TestContainsTitle(t *testing.T) {
	title := update(1).Title
	tests := []struct {
		text string
		want bool
	}{
		{"Investigating: " + title + " — body", true},
		{"Investigating: " + title, true},
		{"Investigating: " + title + "0 — body", false},
		{title + "2, and " + title + ".", true},
		{"something else", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, containsTitle(tt.text, title), tt.text)
	}
}

// blocking is a channel whose Send returns only when release is closed.
type blocking struct{ release chan struct{} }

func (b blocking) Name() string { return "blocking" }

func (b blocking) Send(context.Context, broadcast.Message) (broadcast.Receipt, error) {
	<-b.release
	return broadcast.Receipt{}, nil
}

func TestCallDetectsHang(t *testing.T) {
	ch := blocking{release: make(chan struct{})}
	defer close(ch.release) // lets the abandoned Send end before goleak looks
	_, err := call(context.Background(), 1, sendOf(ch, message(update(1))))
	require.True(t, errors.Is(err, errHung), "%v", err)
}
