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
		// A directory with characters a URL gives a meaning to.
		{Dir: "status site/50% #1?", BaseURL: "https://status.example.com/"},
		{Dir: "/srv/status site/50% #1?", BaseURL: "https://status.example.com/"},
	} {
		got, err := ParseURL(cfg.URL().Reveal())
		require.NoError(t, err)
		assert.Equal(t, cfg, got)
	}
	got, err := ParseURL("statuspage:status%20site?base_url=https%3A%2F%2Fstatus.example.com%2F")
	require.NoError(t, err)
	assert.Equal(t, "status site", got.Dir, "an escaped relative directory")
	_, err = ParseURL("statuspage:site#1?base_url=https%3A%2F%2Fstatus.example.com%2F")
	assert.ErrorContains(t, err, "fragment", "a directory cut at an unescaped #")
	_, err = ParseURL("statuspage:50%?base_url=https%3A%2F%2Fstatus.example.com%2F")
	assert.ErrorContains(t, err, "directory", "an unescaped %")
	_, err = ParseURL("statuspage:x?history_days=many")
	assert.ErrorContains(t, err, "history_days: not a whole number")
	_, err = ParseURL("statuspage:x?base_url=https%3A%2F%2Fstatus.example.com%2F&titel=Example")
	assert.ErrorContains(t, err, `unknown parameter "titel"`, "a misspelt parameter")
	_, err = ParseURL("statuspage://var/www/status?base_url=https%3A%2F%2Fstatus.example.com%2F")
	assert.ErrorContains(t, err, "statuspage: URL: host: not allowed", "two slashes: var would be a host, and dropped")
	_, err = ParseURL("statuspage:x?base_url=https%3A%2F%2Fstatus.example.com%2F&title=50%")
	assert.EqualError(t, err, "statuspage: URL: query: parameter 2: bad %-escape", "a title url.URL.Query drops")
	_, err = ParseURL("https://status.example.com/")
	assert.ErrorContains(t, err, "want statuspage:DIR")
}
