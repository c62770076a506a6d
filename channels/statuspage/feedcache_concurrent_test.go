package statuspage

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// Send, Edit and Retract called at once on one Channel, of updates
// naming more than feedComponents components: the feed entries the
// Channel keeps from write to write (see feedCache) are those of one
// write at a time (the race detector checks), and the feeds and JSON files
// written last are those a Channel that never wrote renders of the page.
func TestFeedCacheConcurrentCalls(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	cfg := Config{Dir: dir, BaseURL: "https://status.example.com/"}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var tick atomic.Int64
	start := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return start.Add(time.Duration(tick.Add(1)) * time.Second) }
	comps := make([]broadcast.Component, feedComponents+2)
	for i := range comps {
		comps[i] = broadcast.Component{Name: fmt.Sprint("C", i), Status: broadcast.ComponentDegraded}
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4*4)
	for g := range 4 {
		wg.Go(func() {
			for i := range 4 {
				u := broadcast.Update{ID: fmt.Sprintf("g%d-u%d", g, i), IncidentID: fmt.Sprint("inc", g),
					Title: "Outage", Status: broadcast.StatusIdentified, Body: "Body.", Components: comps}
				_, err := c.Send(ctx, broadcast.NewMessage(u))
				switch {
				case err != nil:
				case i == 1:
					u.Body = "Corrected body."
					_, err = c.Edit(ctx, broadcast.NewMessage(u), broadcast.Receipt{ID: u.ID})
				case i == 2:
					err = c.Retract(ctx, broadcast.Receipt{ID: u.ID})
				}
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	sameAsFresh(t, c, dir, cfg, "after the calls")
}
