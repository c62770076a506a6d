package broadcast_test

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

func TestCleanRemovesEscapesAndControls(t *testing.T) {
	tests := []struct {
		name, in, body, title string
	}{
		{"plain text is kept", "CDN errors.\n\tDetails follow.", "CDN errors.\n\tDetails follow.", "CDN errors.  Details follow."},
		{"ANSI colours", "\x1b[1;31mERROR\x1b[0m rates up", "ERROR rates up", "ERROR rates up"},
		{"cursor moves and erase", "a\x1b[2Kb\x1b[10;20Hc", "abc", "abc"},
		{"OSC title ended by BEL", "\x1b]0;my title\x07text", "text", "text"},
		{"OSC 8 link ended by ST", "\x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\", "link", "link"},
		{"C1 CSI", "a\u009b31mb", "ab", "ab"},
		{"BEL DEL and C1", "a\x07b\x7fc\u0085d", "abcd", "abcd"},
		{"CR LF and lone CR", "one\r\ntwo\rthree", "one\ntwo\nthree", "one two three"},
		{"unterminated escape", "end\x1b[", "end", "end"},
		{"lone ESC", "x\x1b", "x", "x"},
		// An IRC colour code's numbers are part of it: left behind,
		// "\x0304ALERT" would read "04ALERT" everywhere.
		{"IRC colours", "\x0304,01ALERT\x03 CDN \x0312down\x0f \x03123", "ALERT CDN down 3", "ALERT CDN down 3"},
		{"IRC hex colours", "\x04FF0000,00ff00red\x04 x \x04abc", "red x abc", "red x abc"},
		{"IRC colour before a comma", "\x0304,x", ",x", ",x"},
		{"emoji with ZWJ kept", "👩‍💻 on call", "👩‍💻 on call", "👩‍💻 on call"},
		// No HTML, XML or post may carry a noncharacter; the status page
		// wrote U+FFFE into its HTML as it was.
		{"noncharacters", "a\ufffeb\uffffc\ufdd0d\U0010fffee", "abcde", "abcde"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := broadcast.Update{Title: tt.in, Body: tt.in, Status: broadcast.StatusInvestigating,
				Components: []broadcast.Component{{Name: tt.in, Status: broadcast.ComponentDegraded}},
				Overrides:  map[string]string{"x": tt.in}}
			c := u.Clean()
			assert.Equal(t, tt.body, c.Body)
			assert.Equal(t, tt.title, c.Title)
			assert.Equal(t, tt.title, c.Components[0].Name)
			assert.Equal(t, tt.body, c.Overrides["x"])
			assert.Equal(t, tt.in, u.Components[0].Name, "Clean must not modify the caller's slice")
			assert.Equal(t, tt.in, u.Overrides["x"], "Clean must not modify the caller's map")
		})
	}
}

func TestCleanWhitespaceOnlyBodyIsEmpty(t *testing.T) {
	u := broadcast.Update{Title: "t", Status: broadcast.StatusResolved, Body: " \n\t \x1b[0m "}
	assert.Empty(t, u.Clean().Body)
}

// A Body or Advice that shows nothing (zero width spaces, a joiner) is
// empty too, by the rule that refuses such a Title (Blank): the templates
// then leave its section out instead of rendering an invisible one.
func TestCleanInvisibleBodyAndAdviceAreEmpty(t *testing.T) {
	u := broadcast.Update{Title: "t", Status: broadcast.StatusResolved, Body: "\u200b\n\u200d", Advice: " \ufeff"}
	assert.Empty(t, u.Clean().Body)
	assert.Empty(t, u.Clean().Advice)
	u.Body = "\u200bOK"
	assert.Equal(t, "\u200bOK", u.Clean().Body)
}

// FuzzClean checks that cleaned text has no control character but line
// breaks and tabs, and that cleaning twice changes nothing.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[31mred\x1b[0m", "\x1b]8;;u\x1b\\l", "a\rb\r\nc", "\u009b1m", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := broadcast.Update{Title: s, Body: s}
		if u.Validate() != nil && strings.ContainsRune(s, 0) {
			return
		}
		c := u.Clean()
		for _, r := range c.Body {
			if unicode.IsControl(r) && r != '\n' && r != '\t' && r != 0xfffd {
				t.Fatalf("Body %q keeps control %U", c.Body, r)
			}
		}
		for _, r := range c.Title {
			if unicode.IsControl(r) {
				t.Fatalf("Title %q keeps control %U", c.Title, r)
			}
		}
		assert.Equal(t, c, c.Clean(), "Clean must be idempotent")
	})
}

func TestChannelsSeeCleanedUpdate(t *testing.T) {
	var got broadcast.Update
	ch := broadcast.ChannelFunc("spy", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		got = m.Update
		return broadcast.Receipt{}, nil
	})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	u := validUpdate()
	u.Title = "\x1b[1mCDN\x1b[0m errors"
	u.Body = "Rates \x1b[31mup\x1b[0m\x07."
	_, err = b.Send(context.Background(), u)
	require.NoError(t, err)
	assert.Equal(t, "CDN errors", got.Title)
	assert.Equal(t, "Rates up.", got.Body)

	// The same text without the escapes is the same update.
	plain := validUpdate()
	plain.Title, plain.Body = "CDN errors", "Rates up."
	assert.Equal(t, plain.WithDefaults(got.Time).ID, got.ID)
}

// An update that closes its incident or maintenance promises no next
// update: Clean drops its NextUpdate, so that no channel says "Next update
// by …" under "Resolved" (incident tooling may set it on every update).
// Every other status keeps it.
func TestCleanDropsNextUpdateOfAClosingUpdate(t *testing.T) {
	next := time.Date(2026, 12, 1, 12, 30, 0, 0, time.UTC)
	for _, s := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified,
		broadcast.StatusMonitoring, broadcast.StatusResolved, broadcast.StatusScheduled,
		broadcast.StatusInProgress, broadcast.StatusVerifying, broadcast.StatusCompleted} {
		closes := s == broadcast.StatusResolved || s == broadcast.StatusCompleted
		assert.Equal(t, closes, s.Closes(), s)
		got := broadcast.Update{Title: "T", Status: s, NextUpdate: next}.Clean().NextUpdate
		if closes {
			assert.True(t, got.IsZero(), "%s: %v", s, got)
		} else {
			assert.Equal(t, next, got, s)
		}
	}
	m := broadcast.NewMessage(broadcast.Update{Title: "T", Status: broadcast.StatusResolved, NextUpdate: next})
	assert.True(t, m.Update.NextUpdate.IsZero(), "NewMessage cleans")
}
