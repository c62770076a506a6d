// Package slogguard keeps a caller's code from failing a delivery, or
// taking the process down, through a panic: a *slog.Logger whose handler
// panics loses the record, and a callback (an OnEvent hook, a lock's
// unlock) that panics is logged, and the work that called it goes on
// (or, for a hook the work cannot go past, ends with the panic's error).
// broadcast and dispatch guard every Logger and callback they are given
// with it, so that both recover the same way; dispatch also hands River
// (which logs from goroutines of its own) only a guarded Logger.
//
// # Limits
//
// A record whose handler panicked is lost: the Logger that panicked cannot
// tell of it. A handler's WithAttrs or WithGroup that panics leaves the
// handler as it was, without those attributes or that group.
//
// # Errors
//
// Handler.Handle returns the error of a panic in the handler, naming it
// ("Options.Logger's handler panicked: …"); slog.Logger drops it. An
// error or a record of a panic shows the panic's value as package
// panictext does: a runtime error, or the value's type only.
package slogguard

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/outagecast/outagecast/internal/panictext"
)

// Logger returns l with its handler's panics recovered (see Handler),
// what naming it in the error of such a panic ("Options.Logger"); nil for
// nil, and l itself when it is guarded already.
func Logger(l *slog.Logger, what string) *slog.Logger {
	if l == nil {
		return nil
	}
	if _, ok := l.Handler().(Handler); ok {
		return l
	}
	return slog.New(Handler{h: l.Handler(), what: what})
}

// Handler is a slog.Handler whose panics are recovered: Enabled that
// panics says the level is not enabled, Handle that panics loses the
// record and returns the panic's error, and WithAttrs or WithGroup that
// panics returns the Handler as it was.
type Handler struct {
	h    slog.Handler
	what string // names the handler's owner in a panic's error
}

// Enabled reports whether the handler handles records of level; false
// when it panics.
func (g Handler) Enabled(ctx context.Context, level slog.Level) (enabled bool) {
	defer func() {
		if recover() != nil {
			enabled = false
		}
	}()
	return g.h.Enabled(ctx, level)
}

// Handle hands r to the handler; the error of a panic in it names the
// handler's owner.
func (g Handler) Handle(ctx context.Context, r slog.Record) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s's handler panicked: %s", g.what, panictext.Text(p))
		}
	}()
	return g.h.Handle(ctx, r)
}

// WithAttrs returns the guarded handler with attrs; g itself when the
// handler's WithAttrs panics.
func (g Handler) WithAttrs(attrs []slog.Attr) (h slog.Handler) {
	defer func() {
		if recover() != nil {
			h = g
		}
	}()
	return Handler{h: g.h.WithAttrs(attrs), what: g.what}
}

// WithGroup returns the guarded handler with the group name; g itself
// when the handler's WithGroup panics.
func (g Handler) WithGroup(name string) (h slog.Handler) {
	defer func() {
		if recover() != nil {
			h = g
		}
	}()
	return Handler{h: g.h.WithGroup(name), what: g.what}
}

// Recover, deferred, recovers a panic in a caller's callback, whose
// failure must cost only itself, and logs it to l at Error: msg (the
// callback, as its owner names it: "broadcast: Options.OnEvent") then
// " panicked: " and what panictext.Text shows of the panic's value (a
// runtime error, or the value's type: the value may quote a secret), with
// attrs and the panic's trace.
// l nil (give it a guarded Logger) drops the record; the panic is
// recovered all the same.
func Recover(l *slog.Logger, msg string, attrs ...slog.Attr) {
	if p := recover(); p != nil {
		logPanic(l, msg, p, attrs)
	}
}

// RecoverTo, deferred, is Recover for a call that cannot go on past the
// caller's code that panicked (a connection's hook): it also makes the
// panic *err ("msg panicked: …"), the call's error.
func RecoverTo(err *error, l *slog.Logger, msg string, attrs ...slog.Attr) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("%s panicked: %s", msg, panictext.Text(p))
		logPanic(l, msg, p, attrs)
	}
}

// logPanic logs panic p of msg, as Recover says; nothing when l is nil.
func logPanic(l *slog.Logger, msg string, p any, attrs []slog.Attr) {
	if l == nil {
		return
	}
	attrs = append(attrs, slog.String("trace", string(debug.Stack())))
	l.LogAttrs(context.Background(), slog.LevelError, fmt.Sprintf("%s panicked: %s", msg, panictext.Text(p)), attrs...)
}
