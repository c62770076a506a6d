package irc_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// longURL returns an https URL of exactly n bytes.
func longURL(n int) string {
	const head = "https://status.example.com/incidents/"
	return head + strings.Repeat("a", n-len(head))
}

// A URL is never cut across lines: one that cannot share a line with the
// text around it goes on a line of its own, and the text around it still
// breaks between words.
func TestSendKeepsURLWhole(t *testing.T) {
	budget := fakeBudget
	url, shorter := longURL(budget), longURL(300)
	words := strings.Repeat("Packets are dropped at the edge in Zürich 🇨🇭. ", 12)
	tests := []struct {
		name     string
		body     string // the Update's Body, for the short template (URL last)
		override string // the text instead of the template
		url      string // the URL that must arrive whole
		alone    bool   // on a line of its own
	}{
		{name: "the status page URL, from the template", body: words, url: url, alone: true},
		{name: "at the start, in angle brackets", override: "<" + url + "> " + words, url: url, alone: true},
		{name: "in the middle, in parentheses", override: words + "(" + url + ") " + words, url: url, alone: true},
		{name: "at the end, after a colon", override: words + "Details:" + url + ".", url: url, alone: true},
		{name: "in the middle, shorter, glued to text", override: words + "see:" + shorter + " " + words, url: shorter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{})
			cfg := testConfig(srv.addr())
			cfg.MaxLines = 20
			ch := newChannel(t, cfg)
			u := sampleUpdate()
			u.URL, u.Body = url, tt.body
			if tt.override != "" {
				u.Overrides = map[string]string{"irc": tt.override}
			}
			_, err := ch.Send(context.Background(), message(u))
			require.NoError(t, err)
			said := srv.saidIn("#ops")
			for _, l := range said {
				assert.LessOrEqual(t, len(l), budget)
			}
			if tt.alone {
				assert.Contains(t, said, tt.url, "the URL alone on a line")
			}
			assert.True(t, slices.ContainsFunc(said, func(l string) bool { return strings.Contains(l, tt.url) }),
				"the URL whole in one line")
			// Apart from parting text glued to the URL, lines break only
			// between words.
			got := strings.Fields(strings.Join(said, " "))
			for _, w := range strings.Fields(words) {
				assert.Contains(t, got, w)
			}
		})
	}
}

// A URL too long for any line fails the update permanently before anything
// is posted, saying how long the URL is and how much room a line has: before
// connecting when no prefix could leave room for it, after registering when
// the prefix the server shows does not.
func TestSendURLTooLong(t *testing.T) {
	tests := []struct {
		name     string
		url      int
		override string // "" for the short template, URL last
		wantRoom string
		connects bool
	}{
		{name: "the status page URL, from the template", url: 500, wantRoom: "room for at most 479 bytes"},
		{name: "alone", url: 500, override: "%s", wantRoom: "room for at most 479 bytes"},
		{name: "at the start", url: 500, override: "%s is where we post updates", wantRoom: "room for at most 479 bytes"},
		{name: "in the middle", url: 500, override: "Updates at %s every hour", wantRoom: "room for at most 479 bytes"},
		{name: "at the end", url: 500, override: "Updates at %s", wantRoom: "room for at most 479 bytes"},
		{name: "too long for the prefix shown", url: 470, wantRoom: fmt.Sprintf("room for %d bytes", fakeBudget),
			connects: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{})
			ch := newChannel(t, testConfig(srv.addr()))
			u := sampleUpdate()
			u.URL = longURL(tt.url)
			if tt.override != "" {
				u.Overrides = map[string]string{"irc": fmt.Sprintf(tt.override, u.URL)}
			}
			_, err := ch.Send(context.Background(), message(u))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err))
			assert.Contains(t, err.Error(), fmt.Sprintf("a URL of %d bytes cannot be kept whole", tt.url))
			assert.Contains(t, err.Error(), tt.wantRoom)
			assert.Equal(t, tt.connects, srv.connections() > 0, "connected")
			assert.Empty(t, srv.commands("PRIVMSG"), "nothing posted")

			_, err = ch.Preview(u)
			assert.ErrorContains(t, err, fmt.Sprintf("a URL of %d bytes cannot be kept whole: one line has room for 374 bytes", tt.url),
				"a dry run shows the problem too, for the conservative budget")
		})
	}
}

// The longest URL that fits is posted; one byte more is refused.
func TestSendURLAtTheLimit(t *testing.T) {
	srv := newFakeServer(t, fakeOptions{})
	ch := newChannel(t, testConfig(srv.addr()))
	u := sampleUpdate()
	u.URL = longURL(fakeBudget)
	_, err := ch.Send(context.Background(), message(u))
	require.NoError(t, err)
	assert.Contains(t, srv.saidIn("#ops"), u.URL)

	u.URL = longURL(fakeBudget + 1)
	_, err = ch.Send(context.Background(), message(u))
	require.ErrorContains(t, err, fmt.Sprintf("a URL of %d bytes", fakeBudget+1))
	assert.Len(t, srv.commands("PRIVMSG"), 2, "nothing more posted")
}

// With few lines (Config.MaxLines 1), an update whose status and URL cannot
// share the lines is refused before anything is posted: shortening it would
// leave out the URL, or the status before it, and post an update without
// its link, or without saying what it is. A text that fits goes out with
// its URL whole.
func TestSendFewLinesNeverLoseURL(t *testing.T) {
	budget := fakeBudget
	tests := []struct {
		name     string
		maxLines int
		url      int    // bytes
		override string // before the URL, instead of the template
		wantErr  string // "" success
	}{
		{name: "the URL with the status", maxLines: 1, url: 100},
		{name: "the URL on a second line", maxLines: 2, url: budget - 2},
		{name: "no room for the status", maxLines: 1, url: budget - 14,
			wantErr: "raise Config.MaxLines"},
		{name: "no room for the URL", maxLines: 1, url: budget - 2,
			wantErr: "raise Config.MaxLines"},
		{name: "no room for the URL in an override", maxLines: 1, url: budget - 2, override: "Details:",
			wantErr: "would be left out"},
		{name: "the URL alone in an override", maxLines: 1, url: budget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{})
			cfg := testConfig(srv.addr())
			cfg.MaxLines = tt.maxLines
			ch := newChannel(t, cfg)
			u := sampleUpdate()
			u.URL = longURL(tt.url)
			if tt.override != "" || tt.url == budget {
				u.Overrides = map[string]string{"irc": strings.TrimSpace(tt.override + " " + u.URL)}
			}
			_, perr := ch.Preview(u)
			_, err := ch.Send(context.Background(), message(u))
			if tt.wantErr == "" {
				require.NoError(t, err)
				said := srv.saidIn("#ops")
				assert.Len(t, said, tt.maxLines)
				assert.True(t, slices.ContainsFunc(said, func(l string) bool { return strings.Contains(l, u.URL) }),
					"the URL whole in one line: %q", said)
				if tt.override == "" && tt.url < budget {
					assert.True(t, strings.HasPrefix(said[0], "Investigating: "), "the status leads: %q", said[0])
				}
				return
			}
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err))
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Contains(t, err.Error(), "Config.MaxLines allows 1 line of ", "says how much room there is")
			assert.Empty(t, srv.commands("PRIVMSG"), "nothing posted")
			assert.Error(t, perr, "a dry run shows a problem too")
		})
	}
}
