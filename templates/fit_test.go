package templates_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

func TestRenderFit(t *testing.T) {
	u := representative(broadcast.StatusInvestigating)
	tests := []struct {
		name  string
		limit int
		m     templates.Measure
		want  string
	}{
		{"no limit", 0, templates.Runes, ""},
		{"fits", 1000, templates.Runes, ""},
		{"body shortened", 200, templates.Runes,
			"Investigating: Elevated CDN error rates — We are investigating elevated… " +
				"Affected: CDN (Major outage), API (Degraded performance). Next update by 14:30 UTC. https://status.example.com/incidents/42"},
		{"body cut further", 180, templates.Runes,
			"Investigating: Elevated CDN error rates — We are… " +
				"Affected: CDN (Major outage), API (Degraded performance). Next update by 14:30 UTC. https://status.example.com/incidents/42"},
		{"components cut, body gone", 150, templates.Runes,
			"Investigating: Elevated CDN error rates Affected: CDN (Major outage), … and 1 more. " +
				"Next update by 14:30 UTC. https://status.example.com/incidents/42"},
		{"components dropped, body back", 148, templates.Runes,
			"Investigating: Elevated CDN error rates — We are investigating elevated error… " +
				"Next update by 14:30 UTC. https://status.example.com/incidents/42"},
		{"title shortened", 95, templates.Runes,
			"Investigating: Elevated CDN… Next update by 14:30 UTC. https://status.example.com/incidents/42"},
		{"weighted URL is short", 95, weighted,
			"Investigating: Elevated CDN error rates — We… Next update by 14:30 UTC. https://status.example.com/incidents/42"},
	}
	full, err := templates.Default().Render("short", u)
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := templates.Default().RenderFit("short", u, tt.limit, tt.m)
			require.NoError(t, err)
			want := tt.want
			if want == "" {
				want = full
			}
			assert.Equal(t, want, got)
			if tt.limit > 0 {
				assert.LessOrEqual(t, tt.m(got), tt.limit)
			}
		})
	}
}

func TestRenderFitTooLong(t *testing.T) {
	u := representative(broadcast.StatusInvestigating)
	got, err := templates.Default().RenderFit("short", u, 60, templates.Runes)
	require.ErrorIs(t, err, templates.ErrTooLong)
	assert.EqualError(t, err, "templates: text too long: short: the shortest form measures 82, the limit is 60")
	assert.Equal(t, "Investigating: … https://status.example.com/incidents/42", got, "best effort: the URL is kept, the next update lost")
	assert.LessOrEqual(t, templates.Runes(got), 60)

	got, err = templates.Default().RenderFit("short", u, 20, templates.Runes)
	require.ErrorIs(t, err, templates.ErrTooLong)
	assert.Equal(t, "Investigating: …", got, "a URL longer than the limit is dropped whole")
}

// TestRenderFitEveryLimit checks, for every template, measure and limit,
// that the result fits, keeps the URL and next update when there is no error,
// and is valid UTF-8.
func TestRenderFitEveryLimit(t *testing.T) {
	u := representative(broadcast.StatusIdentified)
	u.Title = "Family 👩‍👩‍👧‍👦 flags 🇩🇪🇫🇷 Cafe\u0301 東京リージョンの障害"
	u.Body = hardTexts[1] + " " + hardTexts[3] + " " + hardTexts[5]
	for name, m := range measures {
		for _, tmpl := range []string{"short", "subject", "markdown"} {
			full, err := templates.Default().Render(tmpl, u)
			require.NoError(t, err)
			for limit := 1; limit <= m(full); limit += 1 + limit/50 {
				got, err := templates.Default().RenderFit(tmpl, u, limit, m)
				require.LessOrEqual(t, m(got), limit, "%s %s %d: %q", name, tmpl, limit, got)
				require.Truef(t, strings.ToValidUTF8(got, "\uFFFD") == got, "invalid UTF-8: %q", got)
				if err != nil {
					require.ErrorIs(t, err, templates.ErrTooLong)
					continue
				}
				if tmpl != "subject" {
					assert.Contains(t, got, u.URL, "%s %s %d", name, tmpl, limit)
					assert.Contains(t, got, "Next update by 14:30 UTC", "%s %s %d", name, tmpl, limit)
				}
				assert.True(t, strings.HasPrefix(got, "Identified: ") || strings.HasPrefix(got, "Incident: ") ||
					strings.HasPrefix(got, "**Identified: "), "status (in a subject: the kind) first: %q", got)
			}
		}
	}
}

func TestText(t *testing.T) {
	u := representative(broadcast.StatusInvestigating)
	u.Overrides = map[string]string{"x": "Custom\ntweet about the CDN https://s.example/1"}
	tests := []struct {
		name    string
		channel string
		limit   int
		want    string
	}{
		{"override, tidied to one line", "x", 280, "Custom tweet about the CDN https://s.example/1"},
		{"override shortened", "x", 30, "Custom… https://s.example/1"},
		{"no override", "irc", 95, "Investigating: Elevated CDN… Next update by 14:30 UTC. https://status.example.com/incidents/42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := templates.Default().Text(tt.channel, "short", u, tt.limit, templates.Runes)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("unknown template", func(t *testing.T) {
		_, err := templates.Default().Text("x", "tweet", u, 280, nil)
		assert.ErrorIs(t, err, templates.ErrUnknownTemplate)
	})
}

// Text that shows nothing (a template with a branch for some statuses,
// rendered for another) comes with ErrBlank, naming the template variant
// used: a channel posting the text alone refuses it rather than post an
// empty message.
func TestTextThatShowsNothing(t *testing.T) {
	set, err := templates.Default().With("short", "{{if eq .Status \"resolved\"}}Fixed: {{.Title}}{{end}} \u200b")
	require.NoError(t, err)
	set, err = set.With("short.monitoring", "  ")
	require.NoError(t, err)
	for _, st := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusMonitoring} {
		u := representative(st)
		got, err := set.Text("x", "short", u, 280, templates.Runes)
		require.ErrorIs(t, err, templates.ErrBlank, "%s: %q", st, got)
		assert.True(t, broadcast.Blank(got), "the text comes with the error: %q", got)
		name := "short"
		if st == broadcast.StatusMonitoring {
			name = "short.monitoring"
		}
		assert.ErrorContains(t, err, `template "`+name+`"`)
	}
	u := representative(broadcast.StatusResolved)
	got, err := set.Text("x", "short", u, 280, templates.Runes)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(got, "Fixed: "), got)

	u = representative(broadcast.StatusInvestigating)
	u.Overrides = map[string]string{"x": "Written by hand."}
	got, err = set.Text("x", "short", u, 280, templates.Runes)
	require.NoError(t, err, "an override shows what it says")
	assert.Equal(t, "Written by hand.", got)
}

// Text refuses an Update.URL the Broadcaster would refuse, of a Message
// built without it: the text shows it, so a password in it would reach
// every reader, and a javascript: link would be posted as one. Every
// channel that renders with Text, its author's own too, refuses it so.
func TestTextRefusesABadURL(t *testing.T) {
	for _, bad := range []string{"https://ops:hunter2@status.example.com/", "javascript:alert(1)", "status.example.com/x"} {
		u := representative(broadcast.StatusInvestigating)
		u.URL = bad
		_, err := templates.Default().Text("x", "short", u, 280, templates.Runes)
		var fe *broadcast.FieldError
		assert.True(t, errors.As(err, &fe) && fe.Field == "URL", "%q: %v", bad, err)
		assert.NotContains(t, err.Error(), "hunter2")
		u.Overrides = map[string]string{"x": "An override shows no URL of the update's."}
		_, err = templates.Default().Text("x", "short", u, 280, templates.Runes)
		assert.Error(t, err, "%q: the channel may show the URL beside the text", bad)
	}
}

// TestRenderFitCutsCleanText: RenderFit cuts the text every channel shows,
// with escape sequences already removed, so that a terminal hyperlink's
// hidden target neither moves the cut nor leaves a space before the
// Ellipsis, and a cut never falls inside an escape sequence.
func TestRenderFitCutsCleanText(t *testing.T) {
	u := broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating, URL: "https://s.example/1",
		Body: "Rates\x1b[31mup\x1b[0m.\x07 more\r\ntext \x1b]8;;http://x\x07link\x1b]8;;\x07 end of it"}
	got, err := templates.Default().RenderFit("short", u, 66, templates.Runes)
	require.NoError(t, err)
	assert.Equal(t, "Investigating: CDN — Ratesup. more text link… https://s.example/1", got)

	u.Body = "\x1b[1mElevated\x1b[0m error rates on the CDN in Europe"
	for limit := 36; limit <= 75; limit++ {
		got, err := templates.Default().RenderFit("short", u, limit, templates.Runes)
		require.NoError(t, err)
		if body, cut := strings.CutPrefix(got, "Investigating: CDN — "); cut {
			assert.Regexp(t, `^(Elevated[A-Za-z ]*|E[a-z]*)… https://s\.example/1$`, body, "limit %d", limit)
		}
	}
}
