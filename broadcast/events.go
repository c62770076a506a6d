package broadcast

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/outagecast/outagecast/internal/panictext"
	"github.com/outagecast/outagecast/internal/slogguard"
)

// listening reports whether anyone receives events: callers on hot paths
// skip building an Event when not.
func (b *Broadcaster) listening() bool { return b.onEvent != nil || b.logger != nil }

// emit reports e to the Logger and OnEvent.
func (b *Broadcaster) emit(ctx context.Context, e Event) {
	level := eventLevel(e)
	logging := b.logger != nil && b.logger.Enabled(ctx, level)
	if b.onEvent == nil && !logging {
		return
	}
	e.Time = time.Now()
	if logging {
		attrs := []slog.Attr{
			slog.String("channel", e.Channel),
			slog.String("update", e.UpdateID),
			slog.String("incident", e.IncidentID),
			slog.Int("attempt", e.Attempt),
		}
		switch e.Kind {
		case EventRetry:
			attrs = append(attrs, slog.Duration("delay", e.Delay))
		case EventDelivered:
			attrs = append(attrs, slog.String("id", e.Receipt.ID), slog.String("url", e.Receipt.URL))
		}
		if e.Err != nil {
			attrs = append(attrs, errAttr(e.Err))
		}
		b.logger.LogAttrs(ctx, level, "broadcast: "+string(e.Kind), attrs...)
	}
	if b.onEvent != nil {
		b.callOnEvent(e)
	}
}

// errAttr is the "error" attribute of err. An Error method that panics
// (a nil pointer of an error type, in an Event made by hand: the
// Broadcaster's own errors are readable) is said so, naming the type at
// fault as readable does (see culprit), rather than take down the
// delivery that logs it; a text that quotes the value of such a panic of
// an error it holds shows it as panictext.ErrorText does.
func errAttr(err error) slog.Attr {
	text, own := panictext.ErrorText(err)
	if !own {
		if _, r, ok := panictext.TryError(err); !ok {
			text = fmt.Sprintf("a %T whose Error method panicked: %s", culprit(err), panictext.Text(r))
		}
	}
	return slog.String("error", text)
}

// callOnEvent calls Options.OnEvent, one call at a time; a panic in it is
// logged, and the delivery that reported e goes on.
func (b *Broadcaster) callOnEvent(e Event) {
	b.eventMu.Lock()
	defer b.eventMu.Unlock()
	defer slogguard.Recover(b.logger, "broadcast: Options.OnEvent")
	b.onEvent(e)
}

// eventLevel is the level at which the Logger logs e: a delivery that
// some targets missed for good is a warning.
func eventLevel(e Event) slog.Level {
	switch e.Kind {
	case EventAttempt:
		return slog.LevelDebug
	case EventRetry:
		return slog.LevelWarn
	case EventFailed:
		return slog.LevelError
	case EventDelivered:
		if e.Err != nil {
			return slog.LevelWarn
		}
	}
	return slog.LevelInfo
}
