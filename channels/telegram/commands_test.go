package telegram

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Telegram makes "/word" a bot command (a tap sends it to the chat) where
// it starts no word: at the start of the text or after a space or
// punctuation, and not followed by a word character, "/", "<" or ">". A
// word joiner after the "/" breaks it, as after the "@" of a mention;
// where Telegram would see no command, the text goes out as written.
func TestQuietCommands(t *testing.T) {
	const wj = "\u2060"
	tests := []struct{ in, want string }{
		{"/status", "/" + wj + "status"},
		{"see /status or /v1/health.", "see /" + wj + "status or /v1/health."},
		{"run (/restart_all), then /start@jobs_bot", "run (/" + wj + "restart_all), then /" + wj + "start@jobs_bot"},
		{"«/status»", "«/" + wj + "status»"},
		{"and/or api/v1 //x </x> /ü /é /status/ /a<b", "and/or api/v1 //x </x> /ü /é /status/ /a<b"},
		{"/" + strings.Repeat("a", 64), "/" + wj + strings.Repeat("a", 64)},
		{"/" + strings.Repeat("a", 65), "/" + strings.Repeat("a", 65)},
		{"/", "/"},
		{"line\n/status", "line\n/" + wj + "status"},
		// "@bot" after a command's name is a bot's username, 3 to 32
		// characters, and the command ends after it; a shorter or longer
		// one makes no command.
		{"/start@jobs_bot/x /start@ab /start@abc.", "/start@jobs_bot/x /start@ab /" + wj + "start@abc."},
		{"/start@" + strings.Repeat("b", 33), "/start@" + strings.Repeat("b", 33)},
		// Telegram's word characters are letters, numbers and "_" only:
		// after "＿" or "‿" a command starts, after "²" none does.
		{"＿/status ‿/status ²/status /status²", "＿/" + wj + "status ‿/" + wj + "status ²/status /status²"},
		// In a URL, Telegram's link holds the "/": no command.
		{"https://status.example.com/-/status https://x.example/a,/b", "https://status.example.com/-/status https://x.example/a,/b"},
		// Nor in a link without a scheme, which Telegram links too.
		{"gitlab.example.com/infra/-/pipelines (docs.example.com:8080/a_(b)/status)",
			"gitlab.example.com/infra/-/pipelines (docs.example.com:8080/a_(b)/status)"},
		// But Telegram links no domain whose top-level domain it does not
		// know: there "/status" is a command, and "/@oncall" a mention.
		{"ops.internal/-/status grafana.local/d/x?panel=/status", "ops.internal/-/" + wj + "status grafana.local/d/x?panel=/" + wj + "status"},
		{"e.g./status x-/status file.c/-/status", "e.g./" + wj + "status x-/" + wj + "status file.c/-/" + wj + "status"},
		// Telegram ends a link at "«" or "»", and after it sees text.
		{"https://docs.example.com/«a»/status", "https://docs.example.com/«a»/" + wj + "status"},
		// But not at a dash (U+2010 to U+2015) or supplemental punctuation:
		// the link goes on, and a word joiner would end it at the "/".
		{"https://docs.example.com/a—/status", "https://docs.example.com/a—/status"},
		{"https://docs.example.com/a‐/b ⸮/status", "https://docs.example.com/a‐/b ⸮/" + wj + "status"},
		{"https://docs.example.com/a⸮/status", "https://docs.example.com/a⸮/status"},
		{"https://docs.example.com/a…/status", "https://docs.example.com/a…/" + wj + "status"},
		// After the character Telegram ends the link at, the rest of the
		// URL is text to Telegram: a command there further on is one,
		// and so is a mention after "/" or "=", which notifies.
		{"https://docs.example.com/«a»,/status", "https://docs.example.com/«a»,/" + wj + "status"},
		{"https://x.example/«/@oncall https://x.example/a…?to=@oncall", "https://x.example/«/@" + wj + "oncall https://x.example/a…?to=@" + wj + "oncall"},
		{"https://x.example/a/@oncall?to=@oncall", "https://x.example/a/@oncall?to=@oncall"},
		// Telegram's link ends at a bracket the path did not open, and at
		// a "," in the host, too.
		{"https://x.example/a)/@oncall https://x.example,/@oncall (https://x.example/a_(b)/@oncall)",
			"https://x.example/a)/@" + wj + "oncall https://x.example,/@" + wj + "oncall (https://x.example/a_(b)/@oncall)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, quietCommands(tt.in), "%q", tt.in)
	}
}

// Every text the author writes has its commands broken in the message,
// and the update's URL links whole over a "/" that would start one.
func TestSendQuietsCommands(t *testing.T) {
	f := newFakeBot(t)
	ch := newTestChannel(t, f, []string{"@examplestatus"})
	u := testUpdate()
	u.Title = "/status is slow"
	u.Body = "Check /v1/health or https://status.example.com/api/v1 and /start. See https://x.example/«a»/@oncall"
	u.Advice = "Use /retry, or ask ops.internal/@oncall"
	u.URL = "https://status.example.com/«x»/status"
	_, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err)
	got := f.Received()
	require.Len(t, got, 1)
	text := got[0].Text
	assert.Contains(t, text, "Investigating: /\u2060status is slow")
	assert.Contains(t, text, "Check /v1/health or https://status.example.com/api/v1 and /\u2060start.")
	assert.Contains(t, text, "See https://x.example/«a»/@\u2060oncall", "Telegram ends the link at «: a mention after it")
	assert.Contains(t, text, "https://status.example.com/%C2%ABx%C2%BB/status", "one link, to the same page")
	assert.Contains(t, text, "Use /\u2060retry, or ask ops.internal/@\u2060oncall", "Telegram links no .internal: a mention")
}

func TestQuietURLCommands(t *testing.T) {
	for in, want := range map[string]string{
		"https://status.example.com/i/42":        "https://status.example.com/i/42",
		"https://status.example.com/«i»":         "https://status.example.com/«i»",
		"https://status.example.com/«i»/status":  "https://status.example.com/%C2%ABi%C2%BB/status",
		"https://status.example.com/a—/b?x=«y»":  "https://status.example.com/a—/b?x=«y»",
		"https://status.example.com/a…/b?x=«y»":  "https://status.example.com/a%E2%80%A6/b?x=%C2%ABy%C2%BB",
		"https://status.example.com/a—b/c":       "https://status.example.com/a—b/c",
		"https://status.example.com/«i»,/c":      "https://status.example.com/%C2%ABi%C2%BB,/c",
		"https://status.example.com/«i»/@oncall": "https://status.example.com/%C2%ABi%C2%BB/@oncall",
		"https://status.example.com/a…?to=@ops":  "https://status.example.com/a%E2%80%A6?to=@ops",
		"https://status.example.com/«i»/@":       "https://status.example.com/«i»/@",
		"https://status.example.com/a)/@oncall":  "https://status.example.com/a)/%40oncall",
		"https://status.example.com:8080/a/@x":   "https://status.example.com:8080/a/@x",
	} {
		assert.Equal(t, want, quietURLCommands(in), "%q", in)
	}
}

// Breaking the commands and mentions of a long text, or of the text
// after a link ends, costs no more than reading it: each "/" of a command,
// and each "@" after "/", once walked back to the start of its run, for
// hours on a megabyte of them, far past any test's deadline. The size is
// what fails the test then, not a measured time.
func TestQuietCommandsLongRun(t *testing.T) {
	const wj = "\u2060"
	for _, tt := range []struct{ unit, want string }{
		{"(/a", "(/" + wj + "a"},
		{"x.com/(/a", "x.com/(/a"},
	} {
		n := 1 << 20 / len(tt.unit)
		assert.True(t, quietCommands(strings.Repeat(tt.unit, n)) == strings.Repeat(tt.want, n), tt.unit)
	}
	// Telegram ends the link at "»": after it, every "/@a" is a mention.
	n := 1 << 20 / 4
	s := "https://x.example/a»" + strings.Repeat("/@a,", n)
	assert.True(t, quietCommands(s) == "https://x.example/a»"+strings.Repeat("/@"+wj+"a,", n))
}
