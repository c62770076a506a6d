package statuspage_test

import (
	"html"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xhtml "golang.org/x/net/html"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// An Update.URL that ends in what ends a sentence (".", "!", a ")" it did
// not open), or holds what ends a link in one ("«"), which Validate
// takes, is linked whole where the update's body shows it, on the pages
// and in the feeds, as under the update ("More: …"): before, the body's
// link ended where a sentence's rule ends a link, and pointed to another
// page (".../incidents/42." to ".../incidents/42"). A URL in the body
// keeps that rule.
func TestUpdateURLInBodyLinksWhole(t *testing.T) {
	for _, raw := range []string{
		"https://example.com/postmortem/42.",
		"https://example.com/wiki/Outage_2026)",
		"https://example.com/postmortem/42!",
		"https://example.com/«42»",
		"https://example.com/postmortem?id=42&lang=en.",
	} {
		t.Run(raw, func(t *testing.T) {
			p := newPage(t, statuspage.Config{})
			u := update("a", "a1", 0, broadcast.StatusInvestigating)
			u.URL = raw
			u.Body = "See https://example.com/b. Or " + raw + " now."
			require.NoError(t, u.Validate())
			p.send(u)

			want := []string{"https://example.com/b → https://example.com/b", raw + " → " + raw}
			s := p.site()
			shown := 0
			for name, doc := range s.Pages {
				if links, ok := bodyLinks(doc); ok {
					shown++
					assert.Equal(t, want, links, "%s", name)
				}
			}
			assert.Equal(t, 2, shown, "the front page and the incident's page show the update")

			esc := html.EscapeString(raw)
			require.NotEmpty(t, s.Feeds)
			for name, f := range s.Feeds {
				for _, it := range f.Items {
					assert.Contains(t, it.Content, `Or <a href="`+esc+`" rel="nofollow">`+esc+`</a> now.`, "%s", name)
					assert.Contains(t, it.Content, `See <a href="https://example.com/b" rel="nofollow">https://example.com/b</a>. Or `, "%s", name)
				}
			}
		})
	}
}

// bodyLinks returns the links of the update bodies of doc, as "text →
// href", and whether it has one.
func bodyLinks(doc *xhtml.Node) (links []string, ok bool) {
	var walk func(n *xhtml.Node, in bool)
	walk = func(n *xhtml.Node, in bool) {
		if n.Type == xhtml.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "class" && strings.Contains(a.Val, "update-body") {
					in, ok = true, true
				}
			}
			if in && n.Data == "a" {
				var text strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					text.WriteString(c.Data)
				}
				for _, a := range n.Attr {
					if a.Key == "href" {
						links = append(links, text.String()+" → "+a.Val)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(doc, false)
	return links, ok
}
