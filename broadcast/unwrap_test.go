package broadcast_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// capable is a channel with every optional interface: an Editor, a
// Retractor, a Checker, a Previewer and an io.Closer.
type capable struct {
	editable
	checks, closes atomic.Int32
}

func (c *capable) Check(context.Context) error { c.checks.Add(1); return nil }

func (c *capable) Preview(u broadcast.Update) (broadcast.Preview, error) {
	return broadcast.Preview{Text: u.Title}, nil
}

func (c *capable) Close() error { c.closes.Add(1); return nil }

// embedded is the shortest wrapper: the inner channel embedded, which
// hides every method but Name and Send.
type embedded struct{ broadcast.Channel }

func (w embedded) Unwrap() broadcast.Channel { return w.Channel }

// counting is a decorator with a Send of its own that calls the inner one.
type counting struct {
	inner broadcast.Channel
	sends atomic.Int32
}

func (w *counting) Name() string { return w.inner.Name() }

func (w *counting) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	w.sends.Add(1)
	return w.inner.Send(ctx, m)
}

func (w *counting) Unwrap() broadcast.Channel { return w.inner }

// A wrapper keeps the optional interfaces of the channel it wraps: a
// Correct edits in place, a Retract deletes, Check and Preview reach the
// channel and Close closes it. Without Unwrap each of them silently did
// the fallback (posted "Correction: …", said the platform cannot delete).
func TestWrappedChannelKeepsOptionalInterfaces(t *testing.T) {
	for _, tt := range []struct {
		name string
		wrap func(broadcast.Channel) broadcast.Channel
	}{
		{"embedded", func(c broadcast.Channel) broadcast.Channel { return embedded{c} }},
		{"own Send", func(c broadcast.Channel) broadcast.Channel { return &counting{inner: c} }},
		{"two deep", func(c broadcast.Channel) broadcast.Channel { return embedded{&counting{inner: c}} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inner := &capable{editable: editable{script: script{name: "slack"}}}
			b, err := broadcast.New([]broadcast.Channel{tt.wrap(inner)}, broadcast.Options{Retry: fast})
			require.NoError(t, err)
			ctx := context.Background()

			assert.Equal(t, []error{nil}, b.Check(ctx))
			assert.EqualValues(t, 1, inner.checks.Load())
			pv, err := b.Preview(validUpdate())
			require.NoError(t, err)
			require.Len(t, pv, 1, "the wrapped Previewer is not left out")
			assert.Equal(t, "slack", pv[0].Channel)

			u := validUpdate()
			rep, err := b.Send(ctx, u)
			require.NoError(t, err)
			fixed := validUpdate()
			fixed.Body = "Fixed."
			_, err = b.Correct(ctx, rep.UpdateID, fixed)
			require.NoError(t, err)
			assert.Len(t, inner.edits, 1, "the wrapped Editor edits in place")
			assert.Equal(t, 1, inner.count(), "and posts no correction anew")

			ret, err := b.Retract(ctx, rep.UpdateID)
			require.NoError(t, err, "the wrapped Retractor deletes")
			assert.NoError(t, ret.Results[0].Err)
			assert.Len(t, inner.retracts, 1)
			th, err := b.Thread(ctx, rep.IncidentID, "slack")
			require.NoError(t, err)
			assert.True(t, th.IsZero(), "the deleted post leaves the thread: %+v", th)

			require.NoError(t, b.Close())
			assert.EqualValues(t, 1, inner.closes.Load(), "Close reaches the wrapped channel")
		})
	}
}

// interceptor wraps a channel and answers Check itself.
type interceptor struct{ embedded }

var errIntercepted = errors.New("intercepted")

func (interceptor) Check(context.Context) error { return errIntercepted }

// The outermost implementation wins: a wrapper intercepts an optional
// method by implementing it.
func TestWrapperInterceptsOptionalMethod(t *testing.T) {
	inner := &capable{editable: editable{script: script{name: "slack"}}}
	b := newBroadcaster(t, broadcast.Options{}, interceptor{embedded{inner}})
	assert.Equal(t, []error{errIntercepted}, b.Check(context.Background()))
	assert.Zero(t, inner.checks.Load())
}

// loop is a broken wrapper whose Unwrap returns itself.
type loop struct{ script }

func (l *loop) Unwrap() broadcast.Channel { return l }

func TestAs(t *testing.T) {
	inner := &capable{editable: editable{script: script{name: "slack"}}}
	c, ok := broadcast.As[broadcast.Checker](embedded{&counting{inner: inner}})
	require.True(t, ok)
	assert.Same(t, inner, c)

	_, ok = broadcast.As[broadcast.Editor](embedded{&script{name: "irc"}})
	assert.False(t, ok, "no Editor down the chain")
	_, ok = broadcast.As[broadcast.Editor](embedded{nil})
	assert.False(t, ok, "an Unwrap that returns nil ends the chain")
	_, ok = broadcast.As[broadcast.Editor](&loop{})
	assert.False(t, ok, "an Unwrap chain that loops ends")
	_, ok = broadcast.As[broadcast.Editor](nil)
	assert.False(t, ok)
}

// renamed wraps a channel under another name.
type renamed struct {
	embedded
	name string
}

func (r renamed) Name() string { return r.name }

// namedPreviewer fills in Preview.Channel with its own name, as adapters do.
type namedPreviewer struct{ script }

func (p *namedPreviewer) Preview(u broadcast.Update) (broadcast.Preview, error) {
	return broadcast.Preview{Channel: p.name, Text: u.Title}, nil
}

// A Preview is named after the Broadcaster's channel, as its Result is,
// also when a wrapper gives the channel it wraps another name.
func TestPreviewNamedAfterWrapper(t *testing.T) {
	inner := &namedPreviewer{script{name: "x"}}
	b := newBroadcaster(t, broadcast.Options{}, renamed{embedded{inner}, "x-main"})
	pv, err := b.Preview(validUpdate())
	require.NoError(t, err)
	require.Len(t, pv, 1)
	assert.Equal(t, "x-main", pv[0].Channel)
}
