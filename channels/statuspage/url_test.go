package statuspage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestURLRoundTrip(t *testing.T) {
	for _, cfg := range []Config{
		{Dir: "status-site", BaseURL: "https://status.example.com/"},
		{Name: "page", Dir: "/srv/status", BaseURL: "http://127.0.0.1:8080/", Branding: Branding{Title: "Example Status"},
			Components: []ComponentInfo{{Name: "API"}, {Name: "CDN"}}, HistoryDays: 30, FeedEntries: 20},
	} {
		got, err := ParseURL(cfg.URL().Reveal())
		require.NoError(t, err)
		assert.Equal(t, cfg, got)
	}
	_, err := ParseURL("statuspage:x?history_days=many")
	assert.ErrorContains(t, err, "history_days: not a whole number")
	_, err = ParseURL("https://status.example.com/")
	assert.ErrorContains(t, err, "want statuspage:DIR")
}
