package statuspage_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A replaced template that fails on a page New's sample does not show
// (here, an update naming no component) fails every write of that page
// alike: no retry renders it, so the Send fails for good, naming the
// template, and changes nothing. Before, it failed as transient, and a
// Broadcaster retried it until it gave up.
func TestTemplateFailingOnThePageIsPermanent(t *testing.T) {
	tmpl := `{{define "update"}}<article id="{{.Anchor}}">{{(index .Components 0).Name}}</article>{{end}}`
	p := newPage(t, statuspage.Config{Templates: fstest.MapFS{"update.tmpl": {Data: []byte(tmpl)}}})
	p.send(update("inc", "u1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded)))

	_, err := p.ch.Send(context.Background(), broadcast.NewMessage(update("inc", "u2", 1, broadcast.StatusIdentified)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "a template that fails on the page: %v", err)
	assert.ErrorContains(t, err, `"update"`, "names the template")
	_, ok := p.site().Updates()["u2"]
	assert.False(t, ok, "the update published")
}
