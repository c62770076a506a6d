package statuspage_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The feeds' xml:lang is the page's language, the one the HTML's lang
// attribute gives: a reader that picks fonts, hyphenation or a voice by
// it reads the feed as the page. xml:lang holds a BCP 47 tag (XML 1.0,
// section 2.12; RFC 4287, section 2, for Atom's common attributes).
func TestLanguage(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{"", "en"},
		{"de", "de"},
		{"pt-BR", "pt-BR"},
		{"EN-gb", "en-GB"}, // tags are case-insensitive; written in their usual case
	} {
		t.Run(tc.want, func(t *testing.T) {
			p := newPage(t, statuspage.Config{Language: tc.set})
			p.send(update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))
			site := p.site()
			for _, name := range []string{"index.html", "history.html", "incidents/a.html"} {
				html := statuspage.Find(site.Pages[name], "html")
				require.Len(t, html, 1, name)
				assert.Equal(t, tc.want, statuspage.Attr(html[0], "lang"), "%s: lang", name)
			}
			for _, name := range []string{"history.atom", "components/api.atom"} {
				require.Contains(t, site.Feeds, name)
				assert.Equal(t, tc.want, site.Feeds[name].Language, "%s: xml:lang", name)
				assert.Contains(t, string(site.Files[name]), `xml:lang="`+tc.want+`"`, name)
			}
		})
	}
}

func TestLanguageInvalid(t *testing.T) {
	for _, lang := range []string{"english", "en_", "e", "de-", " en", "en-US-x"} {
		_, err := statuspage.New(statuspage.Config{Dir: t.TempDir(), BaseURL: "https://status.example.com/", Language: lang})
		if assert.Error(t, err, "%q", lang) {
			assert.Contains(t, err.Error(), "statuspage: Config.Language: ", "%q", lang)
			assert.Contains(t, err.Error(), "BCP 47", "%q", lang)
		}
	}
}

// A page in a language written right to left (Arabic, Hebrew, Persian,
// Urdu…) says so with dir="rtl" on its html element, which a lang alone
// does not: without it, translated pages were laid out left to right,
// their sentences' punctuation at the wrong end. Other languages have no
// dir, left to right being the default.
func TestLanguageDirection(t *testing.T) {
	for _, tc := range []struct{ lang, dir string }{
		{"ar", "rtl"}, {"he", "rtl"}, {"fa-IR", "rtl"}, {"ur", "rtl"}, {"az-Arab", "rtl"},
		{"en", ""}, {"de", ""}, {"az", ""}, {"ja", ""},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			p := newPage(t, statuspage.Config{Language: tc.lang})
			p.send(update("a", "a1", 0, broadcast.StatusResolved))
			site := p.site()
			for _, name := range []string{"index.html", "history.html", "incidents/a.html"} {
				html := statuspage.Find(site.Pages[name], "html")
				require.Len(t, html, 1, name)
				assert.Equal(t, tc.dir, statuspage.Attr(html[0], "dir"), "%s: dir", name)
				// The times are Latin text ("3 Dec 2026 15:13 UTC"),
				// which a right-to-left line showed as "Dec 2026
				// 15:13 UTC 3": each is laid out left to right.
				style := statuspage.Text(statuspage.Find(site.Pages[name], "style")[0])
				assert.Contains(t, style, "time{direction:ltr;unicode-bidi:isolate}", "%s: the times' direction", name)
			}
		})
	}
}
