package pagelink

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

type fakePage struct{ broadcast.Channel }

func (fakePage) IncidentURL(u broadcast.Update) string {
	return "https://status.example.com/incidents/" + u.IncidentID + ".html"
}

func posting(name string) broadcast.Channel {
	return broadcast.ChannelFunc(name, func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{ID: "post-" + m.Update.ID}, nil
	})
}

// failingThreads is a Reader whose reads fail.
type failingThreads struct{}

func (failingThreads) Thread(context.Context, string, string) (broadcast.Thread, error) {
	return broadcast.Thread{}, errors.New("store: down")
}

func (failingThreads) CorrectionRejects(context.Context, string, broadcast.Update, string) (string, error) {
	return "", errors.New("store: down")
}

// A status page whose "when:" leaves out an update of an incident it has
// no page of will not have that page: no link to it. Once the page has the
// incident, every update links to it, whatever the page's "when:" says of
// the update; a correction is routed as Correct routes it.
func TestLinkOnlyToAPageThePageWillHave(t *testing.T) {
	page := fakePage{posting("status-page")}
	channels := []broadcast.Channel{posting("x"), page}
	routes := map[string]broadcast.Route{"status-page": {Statuses: []broadcast.Status{broadcast.StatusIdentified, broadcast.StatusResolved}}}
	b, err := broadcast.New(channels, broadcast.Options{Routes: routes})
	require.NoError(t, err)
	defer b.Close()
	ctx := context.Background()
	p := Find(channels, routes)
	require.NotNil(t, p)
	assert.Equal(t, "status-page", p.Name)
	const link = "https://status.example.com/incidents/cdn.html"

	first := broadcast.Update{IncidentID: "cdn", Title: "CDN errors", Status: broadcast.StatusInvestigating}
	assert.Empty(t, p.Link(ctx, b, first, ""), "the page has no page of the incident, and leaves the update out")
	assert.Equal(t, link, p.Link(ctx, failingThreads{}, first, ""), "a thread that cannot be read keeps the link")
	u := first
	p.Set(ctx, b, &u, "")
	assert.Equal(t, first, u, "nothing set, the ID neither")
	rep, err := b.Send(ctx, first)
	require.NoError(t, err)
	require.True(t, rep.Results[1].NotSelected)

	// A correction routed as its original was: left out too.
	fix := broadcast.Update{IncidentID: "cdn", Title: "CDN errors", Status: broadcast.StatusInvestigating, Body: "In the EU."}
	assert.Empty(t, p.Link(ctx, b, fix, rep.UpdateID))
	assert.Equal(t, link, p.Link(ctx, failingThreads{}, fix, rep.UpdateID))
	fixed := fix
	fixed.Status = broadcast.StatusIdentified
	assert.Equal(t, link, p.Link(ctx, b, fixed, rep.UpdateID), "a correction the route takes makes the page")

	second := broadcast.Update{IncidentID: "cdn", Title: "CDN errors", Status: broadcast.StatusIdentified}
	assert.Equal(t, link, p.Link(ctx, b, second, ""), "the update makes the page")
	rep, err = b.Send(ctx, second)
	require.NoError(t, err)
	require.NoError(t, rep.Results[1].Err)
	require.False(t, rep.Results[1].NotSelected)

	third := broadcast.Update{IncidentID: "cdn", Title: "CDN errors", Status: broadcast.StatusMonitoring}
	assert.Equal(t, link, p.Link(ctx, b, third, ""), "the page has the incident")
	u = third
	p.Set(ctx, b, &u, "")
	assert.Equal(t, link, u.URL)
	assert.Equal(t, third.WithDefaults(u.Time).ID, u.ID, "the ID derived without the link")
	u = third
	u.URL = "https://example.com/given"
	p.Set(ctx, b, &u, "")
	assert.Equal(t, "https://example.com/given", u.URL, "a link given is kept")

	// Without a route, the page takes every update; without a page, no link.
	all := Find(channels, nil)
	assert.Nil(t, all.Route)
	other := broadcast.Update{Title: "DNS errors", Status: broadcast.StatusInvestigating}
	assert.Equal(t, "https://status.example.com/incidents/dns-errors.html", all.Link(ctx, b, other, ""))
	assert.Nil(t, Find(channels[:1], routes))
	var none *Page
	assert.Empty(t, none.Link(ctx, b, other, ""))
}
