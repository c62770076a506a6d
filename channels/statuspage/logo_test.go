package statuspage_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A logo given as a path relative to the site's root is shown on the
// front page and on incident pages, also when its query holds a colon
// (which html/template would otherwise take for an unsafe scheme) or
// "://"; an absolute one is shown as it is.
func TestLogoURL(t *testing.T) {
	for _, tt := range []struct{ logo, front, incident string }{
		{"logo.svg", "./logo.svg", ".././logo.svg"},
		{"logo.svg?v=2025-03-14T12:00", "./logo.svg?v=2025-03-14T12:00", ".././logo.svg?v=2025-03-14T12:00"},
		{"logo.svg?from=https://example.com", "./logo.svg?from=https://example.com", ".././logo.svg?from=https://example.com"},
		{"https://cdn.example.com/logo.svg", "https://cdn.example.com/logo.svg", "https://cdn.example.com/logo.svg"},
	} {
		t.Run(tt.logo, func(t *testing.T) {
			cfg := statuspage.Config{}
			cfg.Branding.LogoURL = tt.logo
			p := newPage(t, cfg)
			p.send(update("api", "u1", 0, broadcast.StatusInvestigating))
			src := regexp.MustCompile(`<img src="([^"]*)"`)
			front, err := os.ReadFile(filepath.Join(p.dir, "current", "index.html"))
			require.NoError(t, err)
			assert.Equal(t, tt.front, unescape(src.FindSubmatch(front)))
			pages, err := filepath.Glob(filepath.Join(p.dir, "current", "incidents", "*.html"))
			require.NoError(t, err)
			require.NotEmpty(t, pages)
			inc, err := os.ReadFile(pages[0])
			require.NoError(t, err)
			assert.Equal(t, tt.incident, unescape(src.FindSubmatch(inc)))
		})
	}
}

func unescape(m [][]byte) string {
	if m == nil {
		return ""
	}
	return regexp.MustCompile(`&amp;`).ReplaceAllString(string(m[1]), "&")
}
