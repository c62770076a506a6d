package matrix

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

// The channel's text reaches the event twice, as body and as the
// formatted_body it builds by hand, and as an edit's "* " fallback. An
// update's fields may hold terminal escapes, other control characters and
// bidirectional overrides left open; a Message built without
// broadcast.NewMessage is not cleaned by the Broadcaster, and the
// templates do not clean its Override nor its Status. None of it may reach
// an event: the control characters are removed, an override left open is
// closed at the end of its line, so that it cannot turn the URL or the
// lines after it right to left.
func TestEventTextIsCleaned(t *testing.T) {
	ctx := context.Background()
	dirty := incident(1, broadcast.StatusInvestigating, "a")
	dirty.Status = "investigating\x1b[2J\x07\u202e"
	dirty.Overrides = map[string]string{"other": "x"}
	plain := dirty
	plain.Overrides = nil
	override := dirty
	override.Overrides = map[string]string{DefaultName: "CDN down\x1b]8;;https://evil.example\x07 \u202esdrawkcab\u009b31m\nsee https://status.example.com"}
	// A URL with control characters is refused whole (broadcast.CheckURL),
	// before anything is posted: see the conformance rule BadURLRefused.
	for name, u := range map[string]broadcast.Update{"template": plain, "override": override} {
		t.Run(name, func(t *testing.T) {
			f := newFakeServer(t, confToken, confRooms)
			cfg := confConfig(f.srv.URL)
			cfg.Name = DefaultName
			ch := newTestChannel(t, cfg)
			m := broadcast.Message{Update: u, Attempt: 1} // built by hand
			r, err := ch.Send(ctx, m)
			require.NoError(t, err)
			fix := u
			fix.ID, fix.Corrects = "", u.ID
			_, err = ch.Edit(ctx, broadcast.Message{Update: fix, Attempt: 1}, r)
			require.NoError(t, err)
			f.mu.Lock()
			defer f.mu.Unlock()
			for _, e := range f.events {
				if e.kind == "redaction" {
					continue
				}
				c := e.content
				texts := []string{c.Body, c.FormattedBody}
				if c.NewContent != nil {
					texts = append(texts, c.NewContent.Body, c.NewContent.FormattedBody)
				}
				for _, s := range texts {
					for _, r := range s {
						assert.False(t, r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f, "%U in %q", r, s)
					}
					lines := strings.NewReplacer("<br>", "\n", "</p>", "\n").Replace(s) // formatted_body's lines too
					for _, line := range strings.Split(lines, "\n") {
						if strings.Contains(line, "\u202e") {
							assert.Contains(t, line, "\u202c", "the override is closed in its line: %q", line)
						}
					}
				}
			}
		})
	}
}

// A template of the caller's that writes nothing but control characters
// leaves nothing to post: New refuses it, and one that does so for some
// update only fails for good at Send, rather than send an empty body.
func TestEventTextEmptyOnceCleaned(t *testing.T) {
	f := newFakeServer(t, confToken, confRooms)
	set, err := templates.Default().With("text.investigating", "{{if .Title}}\x07{{end}}")
	require.NoError(t, err)
	cfg := confConfig(f.srv.URL)
	cfg.Templates = set
	_, err = New(cfg)
	assert.ErrorContains(t, err, `matrix: Config.Templates: templates: the text shows nothing: template "text.investigating"`)

	set, err = templates.Default().With("text.investigating", "{{if eq .Body \"quiet\"}}\x07{{else}}{{.Title}}{{end}}")
	require.NoError(t, err)
	cfg.Templates = set
	ch := newTestChannel(t, cfg)
	u := incident(1, broadcast.StatusInvestigating, "a")
	u.Body = "quiet"
	_, err = ch.Send(context.Background(), broadcast.NewMessage(u))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.ErrorIs(t, err, templates.ErrBlank)
	assert.Empty(t, f.Received())
}
