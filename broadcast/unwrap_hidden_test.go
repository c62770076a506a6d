package broadcast_test

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// hiding is a logging middleware as one writes it first: the channel
// embedded, no Unwrap.
type hiding struct{ broadcast.Channel }

// hidingField keeps the channel it wraps in a field of its own.
type hidingField struct{ inner broadcast.Channel }

func (h hidingField) Name() string { return h.inner.Name() }

func (h hidingField) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	return h.inner.Send(ctx, m)
}

// hidingOnPurpose hides the channel it wraps, and says so with an Unwrap
// that returns nil.
type hidingOnPurpose struct{ broadcast.Channel }

func (hidingOnPurpose) Unwrap() broadcast.Channel { return nil }

// A wrapper without Unwrap around a channel with optional interfaces is
// refused by New, naming what it hides and the way out: it used to be
// taken, and then silently posted corrections anew instead of editing,
// failed retractions with ErrNotSupported, left the channel out of
// Preview and never closed it.
func TestNewRefusesWrapperThatHidesOptionalInterfaces(t *testing.T) {
	for _, tt := range []struct {
		name string
		wrap func(broadcast.Channel) broadcast.Channel
	}{
		{"embedded", func(c broadcast.Channel) broadcast.Channel { return hiding{c} }},
		{"field", func(c broadcast.Channel) broadcast.Channel { return hidingField{c} }},
		{"pointer", func(c broadcast.Channel) broadcast.Channel { return &hiding{c} }},
		{"under a wrapper with Unwrap", func(c broadcast.Channel) broadcast.Channel { return embedded{hiding{c}} }},
		{"under a wrapper without Unwrap", func(c broadcast.Channel) broadcast.Channel { return hiding{&hiding{c}} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inner := &capable{editable: editable{script: script{name: "slack"}}}
			b, err := broadcast.New([]broadcast.Channel{tt.wrap(inner)}, broadcast.Options{})
			require.Error(t, err)
			assert.Nil(t, b)
			for _, want := range []string{"channels[0]", "Editor", "Retractor", "Checker", "Previewer", "io.Closer", "Unwrap() Channel"} {
				assert.Contains(t, err.Error(), want)
			}
			assert.Zero(t, inner.closes.Load())
		})
	}
}

// What loses nothing, or hides on purpose, is taken as before.
func TestNewTakesWrapperThatHidesNothing(t *testing.T) {
	plain := func() broadcast.Channel { return &script{name: "irc"} }
	capableCh := func() broadcast.Channel { return &capable{editable: editable{script: script{name: "slack"}}} }
	for _, tt := range []struct {
		name string
		ch   broadcast.Channel
	}{
		{"a channel without optional interfaces", hiding{plain()}},
		{"an Unwrap", embedded{capableCh()}},
		{"an Unwrap returning nil", hidingOnPurpose{capableCh()}},
		{"the methods forwarded by embedding", struct {
			broadcast.Channel
			broadcast.Editor
			broadcast.Retractor
			broadcast.Checker
			broadcast.Previewer
			io.Closer
		}{capableCh(), nil, nil, nil, nil, nil}},
		{"a ChannelFunc", broadcast.ChannelFunc("x", nil)},
		{"one holding itself", holdingItself()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := broadcast.New([]broadcast.Channel{tt.ch}, broadcast.Options{})
			assert.NoError(t, err)
		})
	}
}

// selfHolding holds a channel in a field of its own: itself.
type selfHolding struct{ Next broadcast.Channel }

func (*selfHolding) Name() string { return "self" }

func (*selfHolding) Send(context.Context, broadcast.Message) (broadcast.Receipt, error) {
	return broadcast.Receipt{}, nil
}

func holdingItself() broadcast.Channel {
	s := &selfHolding{}
	s.Next = s
	return s
}
