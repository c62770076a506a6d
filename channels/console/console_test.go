package console_test

import (
	"context"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/console"
	"github.com/outagecast/outagecast/templates"
)

// fakeWriter is the console's back end: it records each Write as one
// delivery and fails Writes on request.
type fakeWriter struct {
	mu     sync.Mutex
	writes []string
	fail   channeltest.Failure
}

func (w *fakeWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch w.fail {
	case channeltest.FailTransient:
		return 0, syscall.EIO
	case channeltest.FailUnauthorized:
		return 0, syscall.EACCES
	case channeltest.FailRejected:
		return 0, syscall.EPIPE // the reader has gone
	}
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func (w *fakeWriter) Received() []channeltest.Delivery {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]channeltest.Delivery, len(w.writes))
	for i, s := range w.writes {
		text := strings.TrimSuffix(strings.TrimPrefix(s, console.Separator+"\n"), "\n")
		out[i] = channeltest.Delivery{Text: text, Parts: []string{text}}
	}
	return out
}

func (w *fakeWriter) Fail(f channeltest.Failure) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fail = f
}

func (w *fakeWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.writes, "")
}

func TestConformance(t *testing.T) {
	channeltest.Run(t, channeltest.Harness{
		New: func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
			w := &fakeWriter{}
			ch, err := console.New(console.Config{Writer: w})
			require.NoError(t, err)
			return ch, w
		},
		Reopen: func(t *testing.T, be channeltest.Backend) broadcast.Channel {
			ch, err := console.New(console.Config{Writer: be.(*fakeWriter)})
			require.NoError(t, err)
			return ch
		},
		Config:    console.Config{Name: "console", Template: "text"},
		ThreadsTo: channeltest.Unthreaded,
		Failures: []channeltest.Failure{
			channeltest.FailTransient, channeltest.FailUnauthorized, channeltest.FailRejected,
		},
	})
}

// The console writes what the templates render for the update, Advice and
// the mark of a correction included: it adds nothing and leaves nothing out.
func TestSendWritesWhatTheTemplatesRender(t *testing.T) {
	u := broadcast.Update{
		ID: "u_2", Title: "Elevated CDN error rates", Status: broadcast.StatusIdentified,
		Body:     "A faulty configuration change is being rolled back.",
		Advice:   "Retry failed requests; no data was lost.",
		Corrects: "u_1",
		URL:      "https://status.example.com/incidents/42",
	}
	for _, name := range []string{"text", "short", "markdown"} {
		t.Run(name, func(t *testing.T) {
			var buf strings.Builder
			ch, err := console.New(console.Config{Writer: &buf, Template: name})
			require.NoError(t, err)
			m := broadcast.NewMessage(u)
			_, err = ch.Send(context.Background(), m)
			require.NoError(t, err)
			want, err := templates.Default().Render(name, m.Update)
			require.NoError(t, err)
			assert.Equal(t, want+"\n", buf.String())
		})
	}
}

// A template that shows nothing is refused by New; one that shows nothing
// for some update only fails that Send for good, and nothing is written.
// Before, Send wrote an empty message and reported it delivered.
func TestTemplateThatShowsNothing(t *testing.T) {
	blank, err := templates.Default().With("text", "{{if .Title}} \u200b{{end}}")
	require.NoError(t, err)
	_, err = console.New(console.Config{Writer: &strings.Builder{}, Templates: blank})
	assert.ErrorContains(t, err, `console: Config.Templates: templates: the text shows nothing: template "text"`)

	sometimes, err := templates.Default().With("text", "{{if ne .Body \"quiet\"}}{{.Title}}{{end}}")
	require.NoError(t, err)
	var buf strings.Builder
	ch, err := console.New(console.Config{Writer: &buf, Templates: sometimes})
	require.NoError(t, err)
	u := broadcast.Update{ID: "u_1", Title: "CDN errors", Status: broadcast.StatusInvestigating, Body: "quiet"}
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.ErrorIs(t, err, templates.ErrBlank)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Empty(t, buf.String(), "nothing written")
}

// Through a Broadcaster, a correction is written as a new message, and a
// retraction is not supported: nothing is written, and the error says so.
func TestCorrectWritesAgainRetractNotSupported(t *testing.T) {
	var buf strings.Builder
	ch, err := console.New(console.Config{Writer: &buf, Template: "short"})
	require.NoError(t, err)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	u := broadcast.Update{ID: "u_1", IncidentID: "cdn", Title: "Elevated CDN error rates", Status: broadcast.StatusInvestigating}
	_, err = b.Send(context.Background(), u)
	require.NoError(t, err)
	fixed := u
	fixed.ID, fixed.Title = "u_2", "Elevated API error rates"
	rep, err := b.Correct(context.Background(), "u_1", fixed)
	require.NoError(t, err)
	assert.Equal(t, "console-2", rep.Results[0].Receipt.ID, "a message of its own")
	written := buf.String()
	assert.Contains(t, written, console.Separator+"\n")
	assert.Contains(t, written, "Elevated API error rates")

	rep, err = b.Retract(context.Background(), "u_1")
	require.ErrorIs(t, err, broadcast.ErrNotSupported)
	assert.ErrorIs(t, rep.Results[0].Err, broadcast.ErrNotSupported)
	assert.Equal(t, written, buf.String(), "nothing written")
}

// A correction with an Overrides text for the console is written marked
// as a correction, as the default templates mark theirs: it is a new
// message, and would otherwise read as a new update.
func TestCorrectionsOverrideIsMarked(t *testing.T) {
	var buf strings.Builder
	ch, err := console.New(console.Config{Writer: &buf})
	require.NoError(t, err)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	u := broadcast.Update{ID: "u_1", IncidentID: "cdn", Title: "Elevated CDN error rates", Status: broadcast.StatusInvestigating}
	_, err = b.Send(context.Background(), u)
	require.NoError(t, err)
	fixed := u
	fixed.ID = "u_2"
	fixed.Overrides = map[string]string{"console": "The errors are in EU-West, not US-East."}
	_, err = b.Correct(context.Background(), "u_1", fixed)
	require.NoError(t, err)
	_, last, ok := strings.Cut(buf.String(), console.Separator+"\n")
	require.True(t, ok, "a message of its own: %q", buf.String())
	assert.Equal(t, "Correction: The errors are in EU-West, not US-East.\n", last)
}
