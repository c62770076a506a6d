package templates_test

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/templates"
)

var adviceHTML = regexp.MustCompile(`</h1>\n<p style="[^"]*"><strong>What you can do:</strong> ([^<]*(?:<br>[^<]*)*)</p>\n`)

// TestAdviceAfterStatus: every default template but the subject shows the
// advice, labelled the same way, right after the status line, before the
// impact and the body; the subject stays one per incident.
func TestAdviceAfterStatus(t *testing.T) {
	set := templates.Default()
	for _, status := range allStatuses {
		u := representative(status)
		u.Advice = "Retry with backoff\nor use the EU endpoint"
		line := emailHeadlines[status] + ": " + u.Title
		prefixes := map[string]string{
			"short":    line + " — What you can do: Retry with backoff or use the EU endpoint. — We are investigating",
			"text":     line + "\nWhat you can do: Retry with backoff\nor use the EU endpoint\n\nImpact: Major\n\nWe are investigating",
			"markdown": "**" + line + "**\n\n**What you can do:** Retry with backoff\nor use the EU endpoint\n\n_Impact: Major_\n\nWe are investigating",
		}
		for name, want := range prefixes {
			got, err := set.Render(name, u)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(got, want), "%s %s:\n%s\nwant prefix:\n%s", status, name, got, want)
		}

		page, err := set.Render("html", u)
		require.NoError(t, err)
		m := adviceHTML.FindStringSubmatch(page)
		require.NotNil(t, m, "%s: the advice follows the title:\n%s", status, page)
		assert.Equal(t, "Retry with backoff<br>or use the EU endpoint", m[1])
		pre := preheaderRE.FindStringSubmatch(page)
		require.NotNil(t, pre)
		assert.Equal(t, line+" — What you can do: Retry with backoff or use the EU endpoint. — We are investigating elevated error rates "+
			"on the CDN in Europe. Some requests fail with <502 Bad Gateway> & time-outs.", html.UnescapeString(pre[2]))

		subject, err := set.Render("subject", u)
		require.NoError(t, err)
		assert.NotContains(t, subject, "What you can do", "the subject stays the same for the whole incident")
	}
}

// TestCorrectionMarker: an update that corrects another reads "Correction: "
// before the headline everywhere but in the subject, and is otherwise
// rendered exactly like the update it replaces.
func TestCorrectionMarker(t *testing.T) {
	set := templates.Default()
	for _, status := range allStatuses {
		for _, advice := range []string{"", "No action needed"} {
			u := representative(status)
			u.Advice = advice
			plain := map[string]string{}
			for _, name := range allNames {
				out, err := set.Render(name, u)
				require.NoError(t, err)
				plain[name] = out
			}
			u.Corrects = "u_41"
			for _, name := range allNames {
				got, err := set.Render(name, u)
				require.NoError(t, err)
				switch name {
				case "subject":
					assert.Equal(t, plain[name], got, "the subject threads the incident: no marker")
				case "markdown":
					assert.Equal(t, "**Correction: "+strings.TrimPrefix(plain[name], "**"), got)
				case "html":
					// The <title>, the hidden preheader and the visible status line.
					assert.Equal(t, 3, strings.Count(got, "Correction: "), got)
					assert.Contains(t, got, `;">Correction: `+emailHeadlines[status]+"</p>\n<h1", "visible marker")
					assert.Equal(t, plain[name], strings.ReplaceAll(got, "Correction: ", ""))
					pre := preheaderRE.FindStringSubmatch(got)
					require.NotNil(t, pre)
					assert.True(t, strings.HasPrefix(pre[2], "Correction: "+emailHeadlines[status]+": "), pre[2])
				default:
					assert.Equal(t, "Correction: "+plain[name], got, "%s %s", status, name)
				}
			}
		}
	}
}

// TestRenderFitAdvice checks the shortening order with advice: the body
// goes first, then the components, then the advice is cut, and only then
// the title; the correction marker, next update and URL always stay.
func TestRenderFitAdvice(t *testing.T) {
	u := representative(broadcast.StatusInvestigating)
	u.Body = strings.Repeat("We are investigating elevated error rates on the CDN in Europe. ", 300)
	u.Advice = "Retry failed requests with exponential backoff, or switch to the EU-West endpoint until this is resolved"
	const fixed = " Next update by 14:30 UTC. https://status.example.com/incidents/42"
	long := u
	long.Advice = "Retry failed requests with exponential backoff, or switch to the EU-West endpoint until this is resolved; " +
		"cached assets still load as normal meanwhile"
	tests := []struct {
		name  string
		u     broadcast.Update
		limit int
		want  string
	}{
		{"advice whole, body cut, components kept", u, 300,
			"Investigating: Elevated CDN error rates — What you can do: " + u.Advice + ". — We are… " +
				"Affected: CDN (Major outage), API (Degraded performance)." + fixed},
		{"advice whole, body cut, components cut", u, 280,
			"Investigating: Elevated CDN error rates — What you can do: " + u.Advice + ". — We… " +
				"Affected: CDN (Major outage), … and 1 more." + fixed},
		{"advice whole, components dropped, body cut", u, 273,
			"Investigating: Elevated CDN error rates — What you can do: " + u.Advice + ". — We are investigating elevated error…" + fixed},
		{"advice whole when the limit forces the body out", long, 280,
			"Investigating: Elevated CDN error rates — What you can do: " + long.Advice + "." + fixed},
		{"advice whole, body gone", u, 230,
			"Investigating: Elevated CDN error rates — What you can do: " + u.Advice + "." + fixed},
		{"advice cut after the body is gone", u, 229,
			"Investigating: Elevated CDN error rates — What you can do: Retry failed requests with exponential backoff, or switch to the EU-West endpoint until this is…" + fixed},
		{"advice cut further", u, 180,
			"Investigating: Elevated CDN error rates — What you can do: Retry failed requests with exponential backoff, or…" + fixed},
		{"title cut after the advice is gone", u, 100,
			"Investigating: Elevated CDN error…" + fixed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := templates.Default().RenderFit("short", tt.u, tt.limit, templates.Runes)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, templates.Runes(got), tt.limit)
		})
	}
}

// TestRenderFitAdviceEveryLimit checks the shortening rules with advice and
// a correction at every limit: the marker, next update and URL stay; the
// advice is whole while any of the body is left; the title is whole while
// any of the advice is left.
func TestRenderFitAdviceEveryLimit(t *testing.T) {
	u := representative(broadcast.StatusIdentified)
	u.Title = "Family 👩‍👩‍👧‍👦 flags 🇩🇪🇫🇷 Cafe\u0301 東京リージョンの障害"
	u.Body = "Body: " + hardTexts[1] + " " + hardTexts[3]
	u.Advice = "Advice: " + hardTexts[2] + "\nSecond line " + hardTexts[4]
	u.Corrects = "u_41"
	for name, m := range measures {
		for _, tmpl := range []string{"short", "markdown"} {
			full, err := templates.Default().Render(tmpl, u)
			require.NoError(t, err)
			oneLineAdvice := strings.Join(strings.Fields(u.Advice), " ")
			for limit := 1; limit <= m(full); limit += 1 + limit/50 {
				got, err := templates.Default().RenderFit(tmpl, u, limit, m)
				require.LessOrEqual(t, m(got), limit, "%s %s %d: %q", name, tmpl, limit, got)
				if err != nil {
					require.ErrorIs(t, err, templates.ErrTooLong)
					continue
				}
				assert.True(t, strings.HasPrefix(strings.TrimPrefix(got, "**"), "Correction: Identified: "), "%s %s %d: %q", name, tmpl, limit, got)
				assert.Contains(t, got, u.URL)
				assert.Contains(t, got, "Next update by 14:30 UTC")
				if tmpl == "short" {
					if strings.Contains(got, "Body:") {
						assert.Contains(t, got, oneLineAdvice, "%s %d: advice whole while the body is there: %q", name, limit, got)
					}
					if strings.Contains(got, "Advice:") {
						assert.Contains(t, got, u.Title, "%s %d: title whole while the advice is there: %q", name, limit, got)
					}
				}
			}
		}
	}
}
