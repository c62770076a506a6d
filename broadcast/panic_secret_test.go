package broadcast_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/outagecast/outagecast/internal/panictext/panictest"
	"log/slog"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The secrets the panic values of secretPanicError hold.
const (
	panicToken    = "tok-4a7f1c9e"
	panicPassword = "pw-93b1e07d"
)

// secretPanicError is an adapter's error whose Error method panics with
// value, a value that quotes a secret.
type secretPanicError struct{ value any }

func (e secretPanicError) Error() string { panic(e.value) }

// secretPanicValues are panic values that quote a token or a URL's
// password: a string, and an error naming a URL with user information.
func secretPanicValues() map[string]any {
	return map[string]any{
		"string": "bad token " + panicToken,
		"error": &url.Error{Op: "Post", URL: "https://ops:" + panicPassword + "@hooks.example/in",
			Err: errors.New("refused token " + panicToken)},
		"formatted": fmt.Errorf("token %s: %w", panicToken, errors.New("refused")),
	}
}

// markStore is a MemoryStore that keeps the text of every failure marked.
type markStore struct {
	*broadcast.MemoryStore
	mu    sync.Mutex
	marks []string
}

func (s *markStore) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	if failure != nil {
		s.mu.Lock()
		s.marks = append(s.marks, failure.Error())
		s.mu.Unlock()
	}
	return s.MemoryStore.Mark(ctx, updateID, channel, target, failure)
}

// A channel's error whose Error method panics with a value quoting a
// secret (returned, and a target's failure marked) fails the channel as a
// bug: the error names the error's type and says its Error method
// panicked, but quotes nothing of the panic's value: neither the Send's
// error, the Result's, the Logger's records nor the Store's marks hold the
// secret. Before, the error's text ended with the panic's value, as fmt's
// %v writes it.
func TestPanicValueOfErrorMethodHidden(t *testing.T) {
	for name, value := range secretPanicValues() {
		t.Run(name, func(t *testing.T) {
			rep := sendHidingPanic(t, func() error { return secretPanicError{value} })
			assert.Contains(t, rep.Results[0].Err.Error(), "(a broadcast_test.secretPanicError) whose Error method panicked")
		})
	}
}

// A channel's error whose text quotes, as fmt does, the panic's value of
// an error it holds (a *url.Error whose Err's Error method panics, as
// net/http wraps a Transport's error; fmt.Errorf's %w of such an error)
// fails the channel as one whose own Error panics does: its text shows the
// value by its type only, in the Send's error, the Result's, the Logger's
// records and the Store's marks. Before, the error was returned as it
// was, its text ending "%!s(PANIC=Error method: bad token …)".
func TestPanicValueQuotedByAWrapperHidden(t *testing.T) {
	for name, value := range secretPanicValues() {
		t.Run(name, func(t *testing.T) {
			rep := sendHidingPanic(t, func() error {
				return &url.Error{Op: "Post", URL: "https://hooks.example/in", Err: secretPanicError{value}}
			})
			assert.Contains(t, rep.Results[0].Err.Error(), fmt.Sprintf("(PANIC=Error method: a %T)", value))
			assert.True(t, broadcast.IsPermanent(rep.Results[0].Err), "a bug, as an Error method that panics is")
		})
	}
}

// sendHidingPanic sends an update to a channel that returns the error
// errFor makes and to one that marks a target failed with it and returns
// it as a target's failure, and checks that neither the Send's error, the
// Results' errors and failures, the Logger's records nor the Store's
// marks hold the secrets of secretPanicValues. It returns the Report.
func sendHidingPanic(t *testing.T, errFor func() error) *broadcast.Report {
	t.Helper()
	returned := broadcast.ChannelFunc("returned", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, errFor()
	})
	marked := broadcast.ChannelFunc("marked", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		require.NoError(t, m.Ledger.MarkFailed("a", errFor()))
		return broadcast.Receipt{}, &broadcast.TargetsError{Total: 1, Failures: []broadcast.TargetFailure{{Target: "a", Err: errFor()}}}
	})
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store := &markStore{MemoryStore: broadcast.NewMemoryStore()}
	b := newBroadcaster(t, broadcast.Options{Logger: logger, Store: store}, returned, marked)
	rep, err := b.Send(context.Background(), validUpdate())
	require.Error(t, err)
	require.NotNil(t, rep)
	texts := map[string]string{"Send's error": err.Error(), "log": log.String()}
	for _, r := range rep.Results {
		require.Error(t, r.Err, r.Channel)
		texts[r.Channel+"'s Result.Err"] = r.Err.Error()
		for _, f := range r.Failures {
			texts[r.Channel+"'s failure of "+f.Target] = f.Err.Error()
		}
	}
	store.mu.Lock()
	for i, m := range store.marks {
		texts[fmt.Sprint("mark ", i)] = m
	}
	store.mu.Unlock()
	require.NotEmpty(t, store.marks)
	for where, text := range texts {
		assert.NotContains(t, text, panicToken, where)
		assert.NotContains(t, text, panicPassword, where)
	}
	return rep
}

// quotingError is an adapter's error whose text quotes its cause's with
// %q, as a caller's error may: fmt's quote of a panic's value in the
// cause's text comes escaped.
type quotingError struct{ err error }

func (e quotingError) Error() string { return fmt.Sprintf("post %q", e.err) }
func (e quotingError) Unwrap() error { return e.err }

// A channel's error whose text quotes, escaped by a %q, fmt's quote of the
// panic's value of an error it holds shows no part of the value either:
// neither the Send's error, the Result's nor the Logger's records hold
// the secret. Before, a value fmt's %q escapes (a *url.Error's text
// quotes its URL) was not found in the text as fmt prints it, and the
// error was returned as it was.
func TestPanicValueQuotedEscapedHidden(t *testing.T) {
	for name, value := range secretPanicValues() {
		t.Run(name, func(t *testing.T) {
			returned := broadcast.ChannelFunc("returned", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
				return broadcast.Receipt{}, quotingError{fmt.Errorf("webhook: %w", secretPanicError{value})}
			})
			var log bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
			b := newBroadcaster(t, broadcast.Options{Logger: logger}, returned)
			rep, err := b.Send(context.Background(), validUpdate())
			require.Error(t, err)
			require.NotNil(t, rep)
			require.Len(t, rep.Results, 1)
			require.Error(t, rep.Results[0].Err)
			assert.True(t, broadcast.IsPermanent(rep.Results[0].Err), "a bug, as an Error method that panics is")
			for where, text := range map[string]string{"Send's error": err.Error(), "log": log.String(), "Result.Err": rep.Results[0].Err.Error()} {
				assert.NotContains(t, text, panicToken, where)
				assert.NotContains(t, text, panicPassword, where)
			}
		})
	}
}

// A channel's error whose text quotes, as fmt does, the value of a panic
// that its tree does not hold (of the cause of an error without Unwrap
// that formats it itself, of a fmt.Stringer given to fmt.Errorf, of an
// Error method that panicked when the text was made but not since) shows
// nothing of the value either: neither the Send's error, the Result's,
// the Logger's records nor the Store's marks hold the secret. Before, the
// error was taken as it was, the value in its text.
func TestPanicValueNotInTheTreeHidden(t *testing.T) {
	for name, value := range secretPanicValues() {
		for how, errFor := range map[string]func() error{
			"an error without Unwrap": func() error { return panictest.Opaque{Cause: secretPanicError{value}} },
			"a Stringer": func() error {
				return fmt.Errorf("webhook %v: %w", panictest.Stringer{Value: value}, errors.New("refused"))
			},
			"an Error method that panicked once": func() error { return fmt.Errorf("webhook: %w", &panictest.Once{Value: value}) },
		} {
			t.Run(name+", "+how, func(t *testing.T) {
				rep := sendHidingPanic(t, errFor)
				assert.Contains(t, rep.Results[0].Err.Error(), "method: a value not shown)")
				assert.True(t, broadcast.IsPermanent(rep.Results[0].Err), "a bug, as an Error method that panics is")
			})
		}
	}
}
