package statuspage_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A BaseURL whose host is an internationalized name is written with its
// host in ASCII, as its A-labels ("xn--…"), in every URL the page gives:
// the incident's URL, which every channel is given, the feeds' ids and
// links and the JSON. Before, url.URL wrote the name %-escaped
// ("https://status.b%C3%BCcher.example/…"), a link that the link finders
// of chat clients, mail readers and X cut at the "%", and that resolvers
// outside browsers do not look up; and the feeds' ids changed with the
// way the host was written, which the entries' ids did not.
func TestInternationalizedBaseURLIsWrittenInASCII(t *testing.T) {
	const want = "https://status.xn--bcher-kva.example/"
	for _, base := range []string{"https://Status.Bücher.example/", "https://status.b%C3%BCcher.example/", want} {
		t.Run(base, func(t *testing.T) {
			p := newPage(t, statuspage.Config{BaseURL: base})
			u := update("i1", "u1", 1, broadcast.StatusInvestigating)
			assert.Equal(t, want+"incidents/i1.html", p.ch.IncidentURL(u))
			r := p.send(u)
			assert.Equal(t, want+"incidents/i1.html", r.URL)

			s := p.site()
			f := s.Raw["history.atom"]
			assert.Equal(t, want+"history.atom", f.ID, "the feed's id")
			for path, data := range s.Files {
				assert.False(t, strings.Contains(string(data), "%C3"), "%s holds the host %%-escaped", path)
			}
			require.Len(t, s.Feeds["history.atom"].Items, 1)
			assert.True(t, strings.HasPrefix(s.Feeds["history.atom"].Items[0].Link, want+"incidents/i1.html#"),
				s.Feeds["history.atom"].Items[0].Link)
			page := s.JSON["api/v2/summary.json"].(map[string]any)["page"].(map[string]any)
			assert.Equal(t, want, page["url"])
		})
	}
}
