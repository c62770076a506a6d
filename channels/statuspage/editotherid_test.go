package statuspage_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// Edit of a correction whose ID is another update's on the page (not the
// update it corrects, nor a correction edited into it) fails for good,
// naming the ID, and changes nothing: before, it was taken for the same
// correction edited in already, reported success, and the wrong text
// stayed on the page. The same correction edited in again (a retry)
// still succeeds.
func TestEditWithAnotherUpdatesID(t *testing.T) {
	for _, tc := range []struct{ name, id string }{
		{"its own ID", "a2"},
		{"an alias of it", "c2"},
		{"of another incident", "b1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPage(t, statuspage.Config{})
			a1 := p.send(update("a", "a1", 0, broadcast.StatusInvestigating))
			a2 := p.send(update("a", "a2", 10, broadcast.StatusIdentified))
			p.send(update("b", "b1", 5, broadcast.StatusInvestigating))
			p.now = t0.Add(time.Minute)
			c2 := update("a", "c2", 11, broadcast.StatusIdentified)
			c2.Corrects, c2.Body = "a2", "Fixed a2."
			_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(c2), a2)
			require.NoError(t, err)
			before := p.site().Files

			p.now = t0.Add(2 * time.Minute)
			fix := update("a", tc.id, 1, broadcast.StatusInvestigating)
			fix.Corrects, fix.Body = "a1", "Fixed a1."
			_, err = p.ch.Edit(context.Background(), broadcast.NewMessage(fix), a1)
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "permanent: %v", err)
			assert.Contains(t, err.Error(), `"`+tc.id+`"`)
			assert.Equal(t, before, p.site().Files, "nothing changed")

			// The correction edited in before, sent again: no error.
			_, err = p.ch.Edit(context.Background(), broadcast.NewMessage(c2), a2)
			require.NoError(t, err)
			assert.Equal(t, before, p.site().Files, "nothing changed")
		})
	}
}
