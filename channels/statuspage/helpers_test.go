package statuspage_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// t0 is the clock of the tests: the page is written at t0 unless a test
// moves it.
var t0 = time.Date(2025, time.March, 14, 12, 0, 0, 0, time.UTC)

// page is a status page in a temporary directory, with a fixed clock.
type page struct {
	t   *testing.T
	ch  *statuspage.Channel
	dir string
	now time.Time
}

func newPage(t *testing.T, cfg statuspage.Config) *page {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(t.TempDir(), "status")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://status.example.com/"
	}
	ch, err := statuspage.New(cfg)
	require.NoError(t, err)
	p := &page{t: t, ch: ch, dir: cfg.Dir, now: t0}
	statuspage.SetClock(ch, func() time.Time { return p.now })
	return p
}

// send sends u, which must succeed, and returns the receipt.
func (p *page) send(u broadcast.Update) broadcast.Receipt {
	p.t.Helper()
	r, err := p.ch.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(p.t, err, "Send of %q", u.ID)
	return r
}

// site parses the published site; it must be complete.
func (p *page) site() *statuspage.Site {
	p.t.Helper()
	s, err := statuspage.ParseSite(p.dir)
	require.NoError(p.t, err, "the published site")
	return s
}

// index returns the parsed front page.
func (s *page) index() *html.Node {
	s.t.Helper()
	return s.site().Pages["index.html"]
}

// update returns an update of incident id, n minutes after t0 - 1h.
func update(incident, id string, n int, status broadcast.Status, comps ...broadcast.Component) broadcast.Update {
	return broadcast.Update{
		ID: id, IncidentID: incident, Title: "Elevated error rates on the API", Status: status,
		Impact: broadcast.ImpactMajor, Body: "Update " + id + " of " + incident + ".",
		Components: comps, Time: t0.Add(-time.Hour + time.Duration(n)*time.Minute),
	}
}

func comp(name string, status broadcast.ComponentStatus) broadcast.Component {
	return broadcast.Component{Name: name, Status: status}
}

// banner returns the front page's banner: its heading and the incidents it
// names.
func banner(t *testing.T, doc *html.Node) (label string, names []string) {
	t.Helper()
	b := statuspage.FindID(doc, "status")
	require.NotNil(t, b, "the banner (#status)")
	label = statuspage.Text(statuspage.Find(b, "h1")[0])
	for _, a := range statuspage.Find(b, "a") {
		names = append(names, statuspage.Text(a))
	}
	return label, names
}

// components returns the front page's components and their status labels.
func components(t *testing.T, doc *html.Node) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, li := range statuspage.Find(doc, "li") {
		if name := statuspage.Attr(li, "data-component"); name != "" {
			out[name] = statuspage.Text(statuspage.FindClass(li, "state")[0])
		}
	}
	return out
}
