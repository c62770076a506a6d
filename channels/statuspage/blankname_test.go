package statuspage_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/channels/statuspage"
)

// A name of invisible characters only (a zero-width space, a word
// joiner, a bidi mark: what a copy from a chat or a spreadsheet brings)
// shows nothing, as broadcast.Blank says: New took it, and the page
// listed a component without a name (one no update can name, Validate
// refusing it as missing), a link without text (no accessible name) or a
// page titled nothing.
func TestNewRefusesInvisibleNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*statuspage.Config)
		want string
	}{
		{"component", func(c *statuspage.Config) {
			c.Components = []statuspage.ComponentInfo{{Name: "API"}, {Name: "\u200b"}}
		}, "statuspage: Config.Components[1].Name: missing"},
		{"title", func(c *statuspage.Config) { c.Branding.Title = "\u2060\u200e" }, "statuspage: Config.Branding.Title: missing"},
		{"link text", func(c *statuspage.Config) {
			c.Branding.Links = []statuspage.Link{{Text: "\u200d", URL: "https://example.com/help"}}
		}, "statuspage: Config.Branding.Links[0].Text: missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := statuspage.Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/"}
			tc.edit(&cfg)
			_, err := statuspage.New(cfg)
			assert.EqualError(t, err, tc.want)
		})
	}
}
