package main

import (
	"io"
	"log/slog"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
	"github.com/outagecast/outagecast/examples/internal/credvalue"
)

// newLogger logs text to w from level up, with hide applied to every
// message and value: channel errors may quote a secret the configuration
// took from the environment, and database errors the connection string.
func newLogger(w io.Writer, level slog.Level, hide func(string) string) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch v := a.Value.Resolve(); {
			case v.Kind() == slog.KindString:
				a.Value = slog.StringValue(hide(v.String()))
			case v.Kind() == slog.KindAny:
				if err, ok := v.Any().(error); ok {
					a.Value = slog.StringValue(hide(err.Error()))
				}
			}
			return a
		}}))
}

// riverLogger is River's logger: warnings and errors only, unless the
// server logs at debug level.
func riverLogger(w io.Writer, level slog.Level, hide func(string) string) *slog.Logger {
	if level > slog.LevelDebug {
		level = slog.LevelWarn
	}
	return newLogger(w, level, hide).With(slog.String("component", "river"))
}

// logEvent logs a step of a job this instance ran.
func logEvent(log *slog.Logger, e dispatch.Event) {
	attrs := []any{slog.String("job", string(e.Job)), slog.String("channel", e.Channel),
		slog.String("update", e.UpdateID), slog.Int("attempt", e.Attempt)}
	switch e.Kind {
	case broadcast.EventDelivered:
		if e.Receipt.URL != "" {
			attrs = append(attrs, slog.String("url", credvalue.Link(e.Receipt.URL))) // as the API shows it
		}
		if e.Edited {
			log.Info("edited in place", attrs...)
			break
		}
		log.Info("delivered", attrs...)
	case broadcast.EventSkipped:
		log.Info("skipped: nothing to do", attrs...)
	case broadcast.EventSuperseded:
		log.Info("superseded: a newer update of the incident is out", attrs...)
	case broadcast.EventNotSelected:
		log.Info("not selected: the channel's when: leaves the update out", attrs...)
	case broadcast.EventRetry:
		if e.Err == nil {
			// Nothing failed: a correction or a retraction waits for the
			// delivery of its update to finish first.
			log.Info("waiting for the delivery of the update to finish", append(attrs, slog.Duration("delay", e.Delay))...)
			break
		}
		log.Warn("retrying", append(attrs, slog.Duration("delay", e.Delay), slog.Bool("snoozed", e.Snoozed),
			slog.Any("error", e.Err))...)
	case broadcast.EventFailed:
		log.Error("failed", append(attrs, slog.Any("error", e.Err))...)
	}
}
