package statuspage

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestURLRoundTrip(t *testing.T) {
	for _, cfg := range []Config{
		{Dir: "status-site", BaseURL: "https://status.example.com/"},
		{Name: "page", Dir: "/srv/status", BaseURL: "http://127.0.0.1:8080/", Branding: Branding{Title: "Example Status"},
			Components: []ComponentInfo{{Name: "API"}, {Name: "CDN"}}, HistoryDays: 30, FeedEntries: 20, Language: "de-CH"},
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
	// The Config keeps base_url as a plain string, which prints.
	_, err = ParseURL("statuspage:x?base_url=" + url.QueryEscape("https://site:hunter2@status.example.com/"))
	assert.EqualError(t, err, "statuspage: URL: query base_url: must not hold credentials")
}

// The URL form lists components comma-separated: a name holding a comma
// (or the backslash that escapes one) survives the round trip, and URLs
// written before, with plain or escaped commas between names, read as
// they did.
func TestURLComponentNames(t *testing.T) {
	cfg := Config{Dir: "site", BaseURL: "https://status.example.com/", Components: []ComponentInfo{
		{Name: "Storage, EU"}, {Name: `C:\ drive`}, {Name: `ends in \`}, {Name: `\,`}, {Name: "API"}}}
	got, err := ParseURL(cfg.URL().Reveal())
	require.NoError(t, err)
	assert.Equal(t, cfg, got)

	for raw, want := range map[string][]string{
		"statuspage:x?components=API,CDN":             {"API", "CDN"},
		"statuspage:x?components=API%2CCDN":           {"API", "CDN"},
		"statuspage:x?components=+API+,,CDN+":         {"API", "CDN"},
		`statuspage:x?components=C:\drive,API`:        {`C:\drive`, "API"},
		`statuspage:x?components=Storage\,+EU,API`:    {"Storage, EU", "API"},
		`statuspage:x?components=Storage%5C%2C+EU%2C`: {"Storage, EU"},
	} {
		got, err := ParseURL(raw)
		require.NoError(t, err, raw)
		var names []string
		for _, c := range got.Components {
			names = append(names, c.Name)
		}
		assert.Equal(t, want, names, raw)
	}
}
