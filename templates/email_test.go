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

var emailHeadlines = map[broadcast.Status]string{
	broadcast.StatusInvestigating: "Investigating", broadcast.StatusIdentified: "Identified",
	broadcast.StatusMonitoring: "Monitoring", broadcast.StatusResolved: "Resolved",
	broadcast.StatusScheduled: "Scheduled maintenance", broadcast.StatusInProgress: "Maintenance in progress",
	broadcast.StatusVerifying: "Verifying maintenance", broadcast.StatusCompleted: "Maintenance completed",
}

// TestSubjectSameForEveryStatus: Gmail threads only messages with the same
// subject, so the default subject names no status and has no variants.
func TestSubjectSameForEveryStatus(t *testing.T) {
	set := templates.Default()
	for _, name := range set.Names() {
		assert.False(t, strings.HasPrefix(name, "subject."), "a per-status subject splits the thread: %s", name)
	}
	for _, status := range allStatuses {
		got, err := set.Render("subject", representative(status))
		require.NoError(t, err)
		want := "Incident: Elevated CDN error rates"
		if strings.Contains(emailHeadlines[status], "aintenance") {
			want = "Maintenance: Elevated CDN error rates"
		}
		assert.Equal(t, want, got, status)
	}
}

var preheaderRE = regexp.MustCompile(`(?s)<body[^>]*>\n<div style="([^"]*)">([^<]*)</div>\n<main`)

// TestEmailBodiesLeadWithStatus: with no status in the subject, the text
// part's first line and the HTML part's hidden preheader carry it.
func TestEmailBodiesLeadWithStatus(t *testing.T) {
	set := templates.Default()
	for _, status := range allStatuses {
		for _, body := range []string{"", "First paragraph,\nin two lines.\n\nSecond <paragraph>."} {
			u := representative(status)
			u.Body = body
			line := emailHeadlines[status] + ": " + u.Title
			text, err := set.Render("text", u)
			require.NoError(t, err)
			first, _, _ := strings.Cut(text, "\n")
			assert.Equal(t, line, first, status)

			page, err := set.Render("html", u)
			require.NoError(t, err)
			m := preheaderRE.FindStringSubmatch(page)
			require.NotNil(t, m, "%s: the body opens with a preheader:\n%s", status, page)
			assert.Contains(t, m[1], "display:none")
			assert.Contains(t, m[1], "mso-hide:all")
			want := line
			if body != "" {
				want += " — First paragraph, in two lines."
			}
			assert.Equal(t, want, html.UnescapeString(m[2]), status)
		}
	}
}
