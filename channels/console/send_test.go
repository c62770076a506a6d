package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
	"github.com/outagecast/outagecast/templates"
)

func sample(n int) broadcast.Update {
	return broadcast.Update{
		ID:     fmt.Sprintf("u_%d", n),
		Title:  fmt.Sprintf("Elevated CDN error rates %d", n),
		Status: broadcast.StatusInvestigating,
		Body:   "We are investigating.",
		URL:    "https://status.example.com/incidents/42",
		Time:   time.Date(2025, 11, 24, 13, 45, 0, 0, time.UTC),
	}
}

func TestNew(t *testing.T) {
	failing, err := templates.Default().With("text", "{{(index .Components 0).Name}}")
	require.NoError(t, err)
	tests := []struct {
		name    string
		cfg     console.Config
		want    string // the Name, when valid
		wantErr string
	}{
		{"zero value", console.Config{}, "console", ""},
		{"name", console.Config{Name: "dry-run"}, "dry-run", ""},
		{"template", console.Config{Template: "short"}, "console", ""},
		// A variant would render every update: "Resolved: …" of the
		// first one too.
		{"variant for a status", console.Config{Template: "short.resolved"}, "",
			"console: Config.Template: a variant for one status: name its base template, short, which renders each update with the variant of its status"},
		{"name with space", console.Config{Name: " ops"}, "", "console: Config.Name: leading or trailing white space"},
		{"name with newline", console.Config{Name: "a\nb"}, "", "console: Config.Name: holds a control character"},
		// The error is every channel's for a template name (setup.Template):
		// it lists the names there are, and does not quote the one given,
		// which may be a secret pasted under the wrong key.
		{"unknown template", console.Config{Template: "tweet"}, "",
			"console: Config.Template: not in Config.Templates (want html, markdown, short, subject or text)"},
		{"a secret for the template", console.Config{Template: "xoxb-s3cr3t"}, "",
			"console: Config.Template: not in Config.Templates (want html, markdown, short, subject or text)"},
		{"template failing on every update", console.Config{Templates: failing}, "",
			"console: Config.Templates: templates: render text: template: text:1:3: executing \"text\" at <index .Components 0>: " +
				"error calling index: reflect: slice index out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := console.New(tt.cfg)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				assert.Nil(t, ch)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, ch.Name())
		})
	}
}

func TestSendWritesMessagesWithSeparator(t *testing.T) {
	var buf bytes.Buffer
	ch, err := console.New(console.Config{Writer: &buf, Template: "short"})
	require.NoError(t, err)
	for i := 1; i <= 2; i++ {
		r, err := ch.Send(context.Background(), broadcast.NewMessage(sample(i)))
		require.NoError(t, err)
		assert.Equal(t, "console", r.Channel)
		assert.Equal(t, fmt.Sprintf("console-%d", i), r.ID)
		assert.False(t, r.Time.IsZero())
	}
	assert.Equal(t,
		"Investigating: Elevated CDN error rates 1 — We are investigating. https://status.example.com/incidents/42\n"+
			console.Separator+"\n"+
			"Investigating: Elevated CDN error rates 2 — We are investigating. https://status.example.com/incidents/42\n",
		buf.String())
}

func TestSendOverrideByName(t *testing.T) {
	var buf bytes.Buffer
	ch, err := console.New(console.Config{Name: "ops", Writer: &buf})
	require.NoError(t, err)
	u := sample(1)
	u.Overrides = map[string]string{"ops": "Custom text for ops.", "console": "Not this one."}
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	assert.Equal(t, "Custom text for ops.\n", buf.String())
}

func TestSendCancelled(t *testing.T) {
	var buf bytes.Buffer
	ch, err := console.New(console.Config{Writer: &buf})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ch.Send(ctx, broadcast.NewMessage(sample(1)))
	require.ErrorIs(t, err, context.Canceled)
	assert.EqualError(t, err, "console: send: context canceled")
	assert.Empty(t, buf.String())
}

// errWriter fails every Write with err, writing n bytes first.
type errWriter struct {
	n   int
	err error
}

func (w errWriter) Write(p []byte) (int, error) { return min(w.n, len(p)), w.err }

func TestSendWriteErrors(t *testing.T) {
	tests := []struct {
		name      string
		w         io.Writer
		permanent bool
		wantErr   string
	}{
		{"I/O error", errWriter{err: syscall.EIO}, false, "console: write: input/output error"},
		{"disk full", errWriter{err: syscall.ENOSPC}, false, "console: write: no space left on device"},
		{"short write", errWriter{n: 3}, false, "console: write: short write"},
		{"broken pipe", errWriter{err: syscall.EPIPE}, true, "console: write: broken pipe"},
		{"closed file", errWriter{err: &os.PathError{Op: "write", Path: "/dev/stdout", Err: os.ErrClosed}}, true, "console: write: write /dev/stdout: file already closed"},
		{"closed pipe", errWriter{err: io.ErrClosedPipe}, true, "console: write: io: read/write on closed pipe"},
		{"bad descriptor", errWriter{err: syscall.EBADF}, true, "console: write: bad file descriptor"},
		{"permission", errWriter{err: syscall.EACCES}, true, "console: write: permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := console.New(console.Config{Writer: tt.w})
			require.NoError(t, err)
			_, err = ch.Send(context.Background(), broadcast.NewMessage(sample(1)))
			require.EqualError(t, err, tt.wantErr)
			assert.Equal(t, tt.permanent, broadcast.IsPermanent(err))
		})
	}
}

// switchWriter fails until ok is set, then writes to buf.
type switchWriter struct {
	ok  bool
	buf bytes.Buffer
}

func (w *switchWriter) Write(p []byte) (int, error) {
	if !w.ok {
		return 0, syscall.EIO
	}
	return w.buf.Write(p)
}

func TestFailedWriteCountsNothing(t *testing.T) {
	w := &switchWriter{}
	ch, err := console.New(console.Config{Writer: w, Template: "subject"})
	require.NoError(t, err)
	m := broadcast.NewMessage(sample(1))
	_, err = ch.Send(context.Background(), m)
	require.Error(t, err)
	w.ok = true
	m.Attempt = 2
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "console-1", r.ID)
	assert.Equal(t, "Incident: Elevated CDN error rates 1\n", w.buf.String(), "no separator before the first message written")
}

// New tries the template on sample updates; this one fails on others only,
// at send time, for good.
func TestSendRenderErrorIsPermanent(t *testing.T) {
	set, err := templates.Default().With("text", `{{if eq .Title "Sample"}}{{.Title}}{{else}}{{(index .Components 0).Name}}{{end}}`)
	require.NoError(t, err)
	ch, err := console.New(console.Config{Writer: io.Discard, Templates: set})
	require.NoError(t, err)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(sample(1)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err))
	assert.Contains(t, err.Error(), "console: render: templates: render text: ")
}

// TestConcurrentSendsDoNotInterleave writes to a bytes.Buffer, which is not
// safe for concurrent use: the race detector fails the test if two Writes
// overlap.
func TestConcurrentSendsDoNotInterleave(t *testing.T) {
	const n = 20
	var buf bytes.Buffer
	ch, err := console.New(console.Config{Writer: &buf, Template: "subject"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := ch.Send(context.Background(), broadcast.NewMessage(sample(i)))
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, 2*n-1)
	for i, l := range lines {
		if i%2 == 1 {
			assert.Equal(t, console.Separator, l)
		} else {
			assert.True(t, strings.HasPrefix(l, "Incident: Elevated CDN error rates "), l)
		}
	}
}

func TestPreview(t *testing.T) {
	ch, err := console.New(console.Config{Writer: io.Discard, Template: "short"})
	require.NoError(t, err)
	u := sample(1)
	u.Title = "Störung in 東京 🇯🇵"
	p, err := ch.Preview(u)
	require.NoError(t, err)
	want := "Investigating: Störung in 東京 🇯🇵 — We are investigating. https://status.example.com/incidents/42"
	assert.Equal(t, broadcast.Preview{Channel: "console", Text: want, Length: templates.Runes(want), Unit: "characters"}, p)
}

func TestPrintedChannelHidesWriter(t *testing.T) {
	var buf bytes.Buffer
	buf.WriteString("earlier output")
	ch, err := console.New(console.Config{Writer: &buf})
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		got := fmt.Sprintf(verb, ch)
		assert.Equal(t, `console.Channel{Name: "console", Template: "text"}`, got, verb)
	}
}
