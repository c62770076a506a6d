package slogguard_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/internal/slogguard"
)

// buggy is a handler whose methods panic where told to.
type buggy struct {
	slog.Handler
	enabled, handle, with bool
}

func (b buggy) Enabled(ctx context.Context, l slog.Level) bool {
	if b.enabled {
		panic("enabled: nil map")
	}
	return b.Handler.Enabled(ctx, l)
}

func (b buggy) Handle(ctx context.Context, r slog.Record) error {
	if b.handle {
		panic("handle: nil map")
	}
	return b.Handler.Handle(ctx, r)
}

func (b buggy) WithAttrs(attrs []slog.Attr) slog.Handler {
	if b.with {
		panic("with: nil map")
	}
	b.Handler = b.Handler.WithAttrs(attrs)
	return b
}

func (b buggy) WithGroup(name string) slog.Handler {
	if b.with {
		panic("with: nil map")
	}
	b.Handler = b.Handler.WithGroup(name)
	return b
}

// Each method of a handler that panics: the Logger's callers go on, and
// only what the panic cost is lost.
func TestAPanickingHandlerPanicsNoCaller(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    buggy
		want string // what the Logger wrote
	}{
		{"none", buggy{}, `level=INFO msg=hello g.k=v g.n=1`},
		{"Enabled", buggy{enabled: true}, ""},
		{"Handle", buggy{handle: true}, ""},
		{"WithAttrs and WithGroup", buggy{with: true}, `level=INFO msg=hello n=1`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			tt.h.Handler = slog.NewTextHandler(&out, &slog.HandlerOptions{
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey {
						return slog.Attr{}
					}
					return a
				}})
			l := slogguard.Logger(slog.New(tt.h), "Options.Logger")
			require.NotPanics(t, func() {
				l.WithGroup("g").With("k", "v").Info("hello", "n", 1)
			})
			assert.Equal(t, tt.want, string(bytes.TrimSpace(out.Bytes())))
		})
	}
}

// Handle's error names the handler's owner and the panic; slog.Logger
// drops it, but a caller of the Handler sees it.
func TestHandleSaysWhosePanicItWas(t *testing.T) {
	h := slogguard.Logger(slog.New(buggy{Handler: slog.DiscardHandler, handle: true}), "Config.Logger").Handler()
	err := h.Handle(context.Background(), slog.Record{})
	assert.EqualError(t, err, "Config.Logger's handler panicked: a string")
}

// nil stays nil (no Logger: discard), and a guarded Logger is not guarded
// twice.
func TestLoggerNilAndGuardedAlready(t *testing.T) {
	assert.Nil(t, slogguard.Logger(nil, "Options.Logger"))
	l := slogguard.Logger(slog.New(slog.DiscardHandler), "Options.Logger")
	assert.Same(t, l, slogguard.Logger(l, "Config.Logger"))
}

// Recover recovers the panic of the callback it is deferred in, and logs
// it with its value, the attributes given and its trace; with a nil Logger
// it recovers it all the same, and without a panic it logs nothing.
func TestRecover(t *testing.T) {
	var out bytes.Buffer
	l := slog.New(slog.NewTextHandler(&out, nil))
	require.NotPanics(t, func() {
		defer slogguard.Recover(l, "dispatch: Config.OnEvent", slog.Int64("job", 7))
		panic("a bug in OnEvent")
	})
	assert.Contains(t, out.String(), `level=ERROR msg="dispatch: Config.OnEvent panicked: a string" job=7 trace=`)
	assert.Contains(t, out.String(), "slogguard_test.TestRecover")

	require.NotPanics(t, func() {
		defer slogguard.Recover(nil, "broadcast: Options.OnEvent")
		panic("a bug in OnEvent")
	})

	out.Reset()
	func() {
		defer slogguard.Recover(l, "broadcast: Options.OnEvent")
	}()
	assert.Empty(t, out.String())

	// A Logger whose handler panics too, guarded: nothing goes on.
	require.NotPanics(t, func() {
		defer slogguard.Recover(slogguard.Logger(slog.New(buggy{Handler: slog.DiscardHandler, handle: true}), "Config.Logger"),
			"dispatch: Config.OnEvent")
		panic("a bug in OnEvent")
	})
}

// RecoverTo recovers and logs as Recover does, and also makes the panic
// the error of the call it is deferred in; without a panic it leaves the
// call's error as it was.
func TestRecoverTo(t *testing.T) {
	var out bytes.Buffer
	l := slog.New(slog.NewTextHandler(&out, nil))
	hook := func(l *slog.Logger, bug bool) (err error) {
		defer slogguard.RecoverTo(&err, l, "dispatch: Config.Pool's AfterConnect", slog.String("conn", "listener"))
		if bug {
			panic("a bug in AfterConnect")
		}
		return errors.New("refused")
	}
	var err error
	require.NotPanics(t, func() { err = hook(l, true) })
	assert.EqualError(t, err, "dispatch: Config.Pool's AfterConnect panicked: a string")
	assert.Contains(t, out.String(), `level=ERROR msg="dispatch: Config.Pool's AfterConnect panicked: a string" conn=listener trace=`)
	assert.Contains(t, out.String(), "slogguard_test.TestRecoverTo")

	require.NotPanics(t, func() { err = hook(nil, true) })
	assert.EqualError(t, err, "dispatch: Config.Pool's AfterConnect panicked: a string", "no Logger")

	out.Reset()
	assert.EqualError(t, hook(l, false), "refused")
	assert.Empty(t, out.String())
}
