package statuspageio

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// When the read of the incident fails too (a 503), whether the 404 was the
// incident's or one of the component ids' is not known: the error says
// that, transient, and the reads' failures, and does not say the incident
// is not on the page. Before, it did, as for an incident gone.
func TestStaleIDsListAndIncidentReadFailSaysNotKnown(t *testing.T) {
	f := newFake(t)
	ch := newChannel(t, f, nil)
	root := send(t, ch, fullUpdate, broadcast.Thread{})
	f.answer(canned{status: 404, body: `{"error":"The requested resource could not be found."}`},
		canned{status: 503, body: `<html><body>503 Service Unavailable</body></html>`}, // the component list
		canned{status: 503, body: `<html><body>503 Service Unavailable</body></html>`}) // the incident

	m := broadcast.NewMessage(later(broadcast.StatusIdentified, "Found."))
	m.Thread = broadcast.Thread{Root: root, Last: root}
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.ErrorContains(t, err, "http status 404 Not Found: The requested resource could not be found.; whether incident "+root.ID+
		" or a component id is not on the page is not known: reading the incident failed: http status 503")
	assert.ErrorContains(t, err, "; reading the component list again to check its ids: list components: http status 503")
	assert.NotContains(t, err.Error(), "deleted in the dashboard")
	assert.NotContains(t, err.Error(), testKey)
}
