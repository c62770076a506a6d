package statuspage_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A right-to-left override or isolate that a title, body, advice or
// component name leaves open is closed where the field ends, as every
// other channel's templates close it: otherwise the page's own words after
// it (" — Investigating", the component's status, the site's name in the
// tab) are shown reversed, in the pages and in feed readers.
func TestUserTextClosesBidiControls(t *testing.T) {
	p := newPage(t, statuspage.Config{})
	u := update("a", "a1", 0, broadcast.StatusInvestigating, comp("\u2067واجهة", broadcast.ComponentMajorOutage))
	u.Title = "\u202Eredaolpu"
	u.Body = "\u202Bخطأ\nsecond line"
	u.Advice = "\u2067لا شيء"
	p.send(u)
	s := p.site()

	for path, f := range s.Feeds {
		require.NotEmpty(t, f.Items, path)
		assert.Equal(t, "\u202Eredaolpu\u202C — Investigating", f.Items[0].Title, path)
		assert.Contains(t, f.Items[0].Content, "\u202Bخطأ\u202C<br>second line", path)
		assert.Contains(t, f.Items[0].Content, "\u2067لا شيء\u2069</p>", path)
		assert.Contains(t, f.Items[0].Content, "\u2067واجهة\u2069 (Major outage)", path)
	}
	doc := s.Pages["incidents/a.html"]
	assert.True(t, strings.HasPrefix(statuspage.Text(statuspage.Find(doc, "title")[0]), "\u202Eredaolpu\u202C "),
		"the tab's title: %q", statuspage.Text(statuspage.Find(doc, "title")[0]))
	assert.Equal(t, map[string]string{"\u2067واجهة\u2069": "Major outage"}, components(t, p.index()))
	label, names := banner(t, p.index())
	assert.Equal(t, "Major outage", label)
	assert.Equal(t, []string{"\u202Eredaolpu\u202C"}, names)
}

// A configured component whose name leaves an isolate open is the one an
// update names with the same words: one component, its name closed too.
func TestConfiguredComponentClosesBidiControls(t *testing.T) {
	p := newPage(t, statuspage.Config{Components: []statuspage.ComponentInfo{{Name: "\u2067واجهة"}}})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("\u2067واجهة", broadcast.ComponentMajorOutage)))
	assert.Equal(t, map[string]string{"\u2067واجهة\u2069": "Major outage"}, components(t, p.index()))
}

// The page's title, a component's description and a header link's text,
// taken from the Config, close what they leave open as an update's text
// does: otherwise the words the page puts after them (" · Elevated error
// rates" in the tab, the feed's title) are shown reversed.
func TestConfigTextClosesBidiControls(t *testing.T) {
	p := newPage(t, statuspage.Config{
		Components: []statuspage.ComponentInfo{{Name: "API", Description: "\u202Etseb"}},
		Branding: statuspage.Branding{Title: "\u202Esutats", Links: []statuspage.Link{
			{Text: "\u2067مساعدة", URL: "https://help.example.com/"}}},
	})
	p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentMajorOutage)))
	s := p.site()

	index := string(s.Files["index.html"])
	assert.True(t, strings.Contains(index, "\u202Etseb\u202C<"), "the component's description, closed")
	assert.True(t, strings.Contains(index, "\u2067مساعدة\u2069<"), "the link's text, closed")
	assert.False(t, strings.Contains(index, "\u202Esutats<"), "the title, left open")
	for _, page := range []string{"index.html", "incidents/a.html"} {
		title := statuspage.Text(statuspage.Find(s.Pages[page], "title")[0])
		assert.Contains(t, title, "\u202Esutats\u202C", "%s: the tab's title", page)
	}
	for path, f := range s.Feeds {
		assert.True(t, strings.HasPrefix(f.Title, "\u202Esutats\u202C"), "%s: the feed's title %q", path, f.Title)
	}
	var api struct {
		Page       struct{ Name string }
		Components []struct{ Description string }
	}
	require.NoError(t, json.Unmarshal(s.Files["api/v2/summary.json"], &api))
	assert.Equal(t, "\u202Esutats\u202C", api.Page.Name)
	require.Len(t, api.Components, 1)
	assert.Equal(t, "\u202Etseb\u202C", api.Components[0].Description)
}
