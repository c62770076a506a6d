package broadcast

import (
	"context"
	"log/slog"
	"time"
)

// listening reports whether anyone receives events: callers on hot paths
// skip building an Event when not.
func (b *Broadcaster) listening() bool { return b.onEvent != nil || b.logger != nil }

// emit reports e to the Logger and OnEvent.
func (b *Broadcaster) emit(ctx context.Context, e Event) {
	logging := b.logger != nil && b.logger.Enabled(ctx, eventLevel(e.Kind))
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
			attrs = append(attrs, slog.Duration("delay", e.Delay), slog.String("error", e.Err.Error()))
		case EventFailed:
			attrs = append(attrs, slog.String("error", e.Err.Error()))
		case EventDelivered:
			attrs = append(attrs, slog.String("id", e.Receipt.ID), slog.String("url", e.Receipt.URL))
		}
		b.logger.LogAttrs(ctx, eventLevel(e.Kind), "broadcast: "+string(e.Kind), attrs...)
	}
	if b.onEvent != nil {
		b.eventMu.Lock()
		defer b.eventMu.Unlock()
		b.onEvent(e)
	}
}

func eventLevel(k EventKind) slog.Level {
	switch k {
	case EventAttempt:
		return slog.LevelDebug
	case EventRetry:
		return slog.LevelWarn
	case EventFailed:
		return slog.LevelError
	}
	return slog.LevelInfo
}
