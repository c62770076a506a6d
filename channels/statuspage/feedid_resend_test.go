package statuspage_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The ways an update with the same ID reaches the page again on a later
// day, with a Time of that day, keep its entry's id (RFC 4287, section
// 4.2.6): sent again while on the page (nothing changes), sent again
// after its retraction, a correction keeping its ID edited in, and,
// after its retraction, that correction edited in (Edit adds it as the
// update again). Each id is checked in the feed of all updates and in
// the feed of its component, also as a Channel made again on the
// directory renders it.
func TestEntryIDKeptByEveryResendOnAnotherDay(t *testing.T) {
	const id = "tag:status.example.com,2025-03-14:update/a1"
	later := func(p *page, days int, u broadcast.Update) broadcast.Update {
		p.now = t0.Add(time.Duration(days) * 24 * time.Hour)
		u.Time = p.now
		u.Body = "Sent again on another day."
		return u
	}
	for _, tc := range []struct {
		name  string
		again func(p *page, u broadcast.Update, r broadcast.Receipt)
	}{
		{"sent again", func(p *page, u broadcast.Update, _ broadcast.Receipt) {
			p.send(later(p, 2, u))
		}},
		{"retracted, sent again", func(p *page, u broadcast.Update, r broadcast.Receipt) {
			p.now = t0.Add(time.Hour)
			require.NoError(t, p.ch.Retract(context.Background(), r))
			p.send(later(p, 2, u))
		}},
		{"corrected under its ID", func(p *page, u broadcast.Update, r broadcast.Receipt) {
			_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(later(p, 2, u)), r)
			require.NoError(t, err)
		}},
		{"retracted, corrected under its ID", func(p *page, u broadcast.Update, r broadcast.Receipt) {
			p.now = t0.Add(time.Hour)
			require.NoError(t, p.ch.Retract(context.Background(), r))
			_, err := p.ch.Edit(context.Background(), broadcast.NewMessage(later(p, 2, u)), r)
			require.NoError(t, err)
		}},
		{"retracted twice, sent again each time", func(p *page, u broadcast.Update, r broadcast.Receipt) {
			p.now = t0.Add(time.Hour)
			require.NoError(t, p.ch.Retract(context.Background(), r))
			p.send(later(p, 2, u))
			p.now = p.now.Add(time.Hour)
			require.NoError(t, p.ch.Retract(context.Background(), r))
			p.send(later(p, 5, u))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPage(t, statuspage.Config{})
			u := update("a", "a1", 0, broadcast.StatusInvestigating, comp("API", broadcast.ComponentDegraded))
			r := p.send(u)
			tc.again(p, u, r)
			again := newPage(t, statuspage.Config{Dir: p.dir})
			again.now = p.now
			assertOneEntryWithID(t, id, p, again)
		})
	}
}
