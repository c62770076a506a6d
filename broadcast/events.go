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
			attrs = append(attrs, slog.Duration("delay", e.Delay), slog.String("error", e.Err.Error()))
		case EventFailed:
			attrs = append(attrs, slog.String("error", e.Err.Error()))
		case EventDelivered:
			attrs = append(attrs, slog.String("id", e.Receipt.ID), slog.String("url", e.Receipt.URL))
			if e.Err != nil {
				attrs = append(attrs, slog.String("error", e.Err.Error()))
			}
		}
		b.logger.LogAttrs(ctx, level, "broadcast: "+string(e.Kind), attrs...)
	}
	if b.onEvent != nil {
		b.callOnEvent(e)
	}
}

// callOnEvent calls Options.OnEvent, one call at a time; a panic in it is
// logged, and the delivery that reported e goes on.
func (b *Broadcaster) callOnEvent(e Event) {
	b.eventMu.Lock()
	defer b.eventMu.Unlock()
	defer b.logPanic("Options.OnEvent")
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

// guardLogger returns the Logger a Broadcaster uses for l, Options.Logger:
// nil for nil (discard); l with its handler's panics recovered otherwise,
// as a Store's are (see guardStore): a handler's panic in a delivery's
// goroutine would take the caller's process down. The record is lost:
// the Logger that panicked cannot tell of it.
func guardLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return nil
	}
	return slog.New(guardedHandler{l.Handler()})
}

// guardedHandler is a slog.Handler whose panics are recovered.
type guardedHandler struct{ h slog.Handler }

func (g guardedHandler) Enabled(ctx context.Context, level slog.Level) (enabled bool) {
	defer func() {
		if recover() != nil {
			enabled = false
		}
	}()
	return g.h.Enabled(ctx, level)
}

func (g guardedHandler) Handle(ctx context.Context, r slog.Record) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicked("Options.Logger's handler", p)
		}
	}()
	return g.h.Handle(ctx, r)
}

func (g guardedHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return guardedHandler{g.h.WithAttrs(attrs)}
}

func (g guardedHandler) WithGroup(name string) slog.Handler {
	return guardedHandler{g.h.WithGroup(name)}
}
