package broadcast

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The Logger logs an Event of any kind with its fields zero or nil: an
// EventRetry or EventFailed without an Err (an Event built by hand, as a
// user may pass to handlers of their own), or of a kind no Broadcaster
// makes, logs without an error rather than panic, and OnEvent still gets
// it. Before, such an EventRetry or EventFailed panicked in Err.Error.
func TestEmitEventsWithZeroFields(t *testing.T) {
	var buf bytes.Buffer
	var got []Event
	b := &Broadcaster{
		logger:  slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
		onEvent: func(e Event) { got = append(got, e) },
	}
	kinds := []EventKind{EventAttempt, EventRetry, EventDelivered, EventFailed, EventSkipped,
		EventSuperseded, EventNotSelected, "", "unknown"}
	for _, k := range kinds {
		buf.Reset()
		assert.NotPanics(t, func() { b.emit(context.Background(), Event{Kind: k}) }, "%q", k)
		assert.Contains(t, buf.String(), `msg="broadcast: `+string(k)+`"`, "%q", k)
		assert.NotContains(t, buf.String(), "error=", "%q: no error to log", k)
	}
	assert.Len(t, got, len(kinds))

	// With an Err, whatever the kind, the record says it; one whose Error
	// method panics is said so.
	for _, err := range []error{errors.New("boom"), (*nilPointerError)(nil)} {
		for _, k := range kinds {
			buf.Reset()
			assert.NotPanics(t, func() { b.emit(context.Background(), Event{Kind: k, Err: err}) }, "%q", k)
			assert.Contains(t, buf.String(), "error=", "%q", k)
		}
	}
	assert.Contains(t, buf.String(), `error="a *broadcast.nilPointerError whose Error method panicked: `)
}

// nilPointerError is an error type whose Error reads its receiver.
type nilPointerError struct{ text string }

func (e *nilPointerError) Error() string { return e.text }

// The record of an Event whose Err is wrapped around one whose Error
// method panics (Permanent of a nil pointer, as a channel may return)
// names the type at fault, as the Broadcaster's own errors of such a
// channel do (see readable), not the wrapper's. Before, it named
// *broadcast.permanentError, a type of the package's own.
func TestEmitNamesTheErrorTypeThatPanicked(t *testing.T) {
	var buf bytes.Buffer
	b := &Broadcaster{logger: slog.New(slog.NewTextHandler(&buf, nil))}
	b.emit(context.Background(), Event{Kind: EventFailed, Err: Permanent((*nilPointerError)(nil))})
	assert.Contains(t, buf.String(), `error="a *broadcast.nilPointerError whose Error method panicked: `)
	assert.NotContains(t, buf.String(), "permanentError")
}
