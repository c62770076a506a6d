package console_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
)

// An update's text cannot drive the terminal the console writes to: no
// escape sequence (clearing the screen, an OSC window title or hyperlink,
// a colour) and no other control character reaches the Writer, whichever
// field holds it, also in a Message built by hand, which
// broadcast.NewMessage has not cleaned, and in a Preview.
//
// A URL with control characters is refused whole (broadcast.CheckURL),
// before anything is written: see the conformance rule BadURLRefused.
func TestSendWritesNoTerminalControls(t *testing.T) {
	const evil = "\x1b]0;pwned\x07\x1b[2J\x1b[31m\x9b1A\rX\x08"
	tests := []struct {
		name string
		edit func(u *broadcast.Update)
		keep string // text that must still show
	}{
		{"override", func(u *broadcast.Update) { u.Overrides = map[string]string{"console": "Custom " + evil + "text"} }, "Custom "},
		{"title", func(u *broadcast.Update) { u.Title = "Errors " + evil + "in EU" }, "Errors "},
		{"status", func(u *broadcast.Update) { u.Status = broadcast.Status("investigating" + evil) }, "We are investigating."},
		{"impact", func(u *broadcast.Update) { u.Impact = broadcast.Impact("major" + evil) }, "We are investigating."},
		{"component status", func(u *broadcast.Update) {
			u.Components = []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentStatus("down" + evil)}}
		}, "CDN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			ch, err := console.New(console.Config{Writer: &buf})
			require.NoError(t, err)
			u := sample(1)
			tt.edit(&u)
			_, err = ch.Send(context.Background(), broadcast.Message{Update: u, Attempt: 1})
			require.NoError(t, err)
			p, err := ch.Preview(u)
			require.NoError(t, err)
			for what, text := range map[string]string{"written": buf.String(), "preview": p.Text} {
				assert.Contains(t, text, tt.keep, what)
				assert.False(t, strings.ContainsFunc(text, func(r rune) bool {
					return r != '\n' && r != '\t' && (r < 0x20 || r >= 0x7f && r <= 0x9f)
				}), "%s: %q", what, text)
				assert.NotContains(t, text, "pwned", "%s: the OSC string goes with its sequence", what)
			}
		})
	}
}
