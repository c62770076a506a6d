package dispatch

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// messages is a slog.Handler that keeps each record's message and
// attributes, as text.
type messages struct {
	mu   *sync.Mutex
	recs *[]string
}

func newMessages() messages { return messages{mu: &sync.Mutex{}, recs: &[]string{}} }

func (h messages) Enabled(context.Context, slog.Level) bool { return true }
func (h messages) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.recs = append(*h.recs, b.String())
	return nil
}
func (h messages) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h messages) WithGroup(string) slog.Handler      { return h }

func (h messages) all() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(*h.recs, "\n")
}

// Stop given a ctx that has ended still stops River, and then cannot make
// the jobs River left running available again: it says so, as the doc
// says, for the rescuer takes them minutes later. Before, the rescue was
// skipped without a word.
func TestStopWithAnEndedCtxSaysTheStrandedJobsAreLeftToTheRescuer(t *testing.T) {
	d, _ := failingDispatcher(t)
	logs := newMessages()
	d.cfg.Logger = slog.New(logs)
	d.strandedDue = true // River ran (here it never started: its Stop does nothing)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, d.Stop(ended))
	assert.Contains(t, logs.all(), "dispatch: stop: could not make the jobs River left running available again")
	assert.Contains(t, logs.all(), "context canceled")
}
