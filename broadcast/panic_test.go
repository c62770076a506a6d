package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// panicky panics in every optional method a channel may implement.
type panicky struct{ script }

func (p *panicky) Check(context.Context) error { panic("check: nil map") }

func (p *panicky) Preview(broadcast.Update) (broadcast.Preview, error) { panic("preview: nil map") }

func (p *panicky) Close() error { panic("close: nil map") }

// A channel whose Check or Preview panics fails that channel, as a panic in
// its Send does, instead of taking the process down: Check runs it on a
// goroutine of its own, where the caller could not recover it. The other
// channels are checked and previewed all the same.
func TestCheckAndPreviewRecoverPanics(t *testing.T) {
	b := newBroadcaster(t, broadcast.Options{},
		&panicky{script: script{name: "bad"}}, &checker{script: script{name: "ok"}}, &previewer{script: script{name: "pv"}})

	errs := b.Check(context.Background())
	require.Len(t, errs, 3)
	assert.ErrorContains(t, errs[0], "channel panicked: a string")
	assert.True(t, broadcast.IsPermanent(errs[0]), "a panic is not worth checking again")
	assert.NoError(t, errs[1])

	previews, err := b.Preview(validUpdate())
	assert.ErrorContains(t, err, "preview bad: channel panicked: a string")
	require.Len(t, previews, 1, "the other channel's preview is kept")
	assert.Equal(t, "pv", previews[0].Channel)
}

type previewer struct{ script }

func (p *previewer) Preview(u broadcast.Update) (broadcast.Preview, error) {
	return broadcast.Preview{Text: u.Title, Length: len(u.Title)}, nil
}

// A channel whose Close panics still lets Close close the others, and
// names it.
func TestClosePanicClosesTheOthers(t *testing.T) {
	c := &closer{script: script{name: "c"}}
	b, err := broadcast.New([]broadcast.Channel{&panicky{script: script{name: "bad"}}, c}, broadcast.Options{})
	require.NoError(t, err)
	assert.ErrorContains(t, b.Close(), "close bad: channel panicked: a string")
	assert.Equal(t, int32(1), c.closed.Load())
}
