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

// A correction made from a copy of the update it corrects carries that
// update's Time (or an earlier one). Edited in place, the entry still
// changed now: its Atom updated moves on, and so does the feed's, or
// feed readers, which refetch an entry only when its updated changes,
// keep the wrong text; the page says when the edit was made, not when
// the corrected update was written.
func TestEditWithOldTimeMovesUpdated(t *testing.T) {
	for name, shift := range map[string]time.Duration{"same time": 0, "earlier time": -10 * time.Minute} {
		t.Run(name, func(t *testing.T) {
			p := newPage(t, statuspage.Config{})
			orig := update("a", "a1", 0, broadcast.StatusInvestigating)
			p.send(orig)
			p.now = t0.Add(3 * time.Minute)
			fix := orig
			fix.ID, fix.Body, fix.Time = "a1-fix", "Corrected text.", orig.Time.Add(shift)
			_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(fix), broadcast.Receipt{ID: "a1"})
			require.NoError(t, err)

			s := p.site()
			f := s.Feeds["history.atom"]
			require.Len(t, f.Items, 1)
			assert.Contains(t, f.Items[0].Content, "Corrected text.")
			assert.Equal(t, p.now, f.Items[0].UpdatedParsed.UTC(), "the entry's updated: when it was edited")
			assert.Equal(t, orig.Time, f.Items[0].PublishedParsed.UTC(), "its published: unchanged")
			assert.Equal(t, p.now, f.UpdatedParsed.UTC(), "the feed's updated")
			assert.Contains(t, s.Updates()["a1"], "Edited 14 Mar 2025 12:03 UTC.", "the page")

			// Sent again (a retry), the edit changes nothing.
			p.now = t0.Add(9 * time.Minute)
			_, err = p.ch.Edit(context.Background(), broadcast.NewMessage(fix), broadcast.Receipt{ID: "a1"})
			require.NoError(t, err)
			assert.Equal(t, t0.Add(3*time.Minute), p.site().Feeds["history.atom"].Items[0].UpdatedParsed.UTC())
		})
	}
}
