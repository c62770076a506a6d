package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// correctFirst corrects the incident's first update in place, while its
// post is the incident's only one (its card its own), to Investigating
// under a new title, and returns the correction.
func correctFirst(t *testing.T, ch *Channel, root broadcast.Receipt) broadcast.Update {
	t.Helper()
	fix := fullUpdate
	fix.ID, fix.Corrects, fix.Status, fix.Title = "u_fix", fullUpdate.ID, broadcast.StatusInvestigating, "CDN errors in EU and US"
	m := broadcast.NewMessage(fix)
	m.Thread = broadcast.Thread{Root: root, Last: root}
	_, err := ch.Edit(context.Background(), m, root)
	require.NoError(t, err)
	return fix
}

// The first update corrected in place, then later updates, the latest
// retracted back to the first: the first post's card shows the corrected
// first update. The Broadcaster keeps the first post's receipt as it was
// made, before the correction; before, every later receipt carried the
// card of the first update as first sent, and the card went back to its
// uncorrected status and title.
func TestRetractRestoresCorrectedFirstCard(t *testing.T) {
	for _, forum := range []bool{false, true} {
		t.Run(map[bool]string{false: "text channel", true: "forum"}[forum], func(t *testing.T) {
			f := newFake(t, fakeOptions{forum: forum})
			ch := newChannel(t, f, func(c *Config) { c.Forum = forum })
			root := send(t, ch, fullUpdate, broadcast.Thread{})
			correctFirst(t, ch, root)
			second := fullUpdate
			second.ID, second.Status, second.Time = "u_second", broadcast.StatusMonitoring, fullUpdate.Time.Add(time.Minute)
			r2 := send(t, ch, second, broadcast.Thread{Root: root, Last: root})
			r3 := send(t, ch, resolvedUpdate, broadcast.Thread{Root: root, Last: r2})
			require.Equal(t, "Resolved", f.message(0).embeds[0].Fields[0].Value)

			require.NoError(t, ch.Retract(context.Background(), r3))
			assert.Equal(t, "Monitoring", f.message(0).embeds[0].Fields[0].Value)
			require.NoError(t, ch.Retract(context.Background(), r2))
			card := f.message(0).embeds[0]
			assert.Equal(t, "Investigating", card.Fields[0].Value, "the corrected first update's status")
			assert.Equal(t, "CDN errors in EU and US", card.Title, "its corrected title, without the correction's prefix")
			require.NotNil(t, card.Footer)
			assert.Equal(t, "Current status", card.Footer.Text)
		})
	}
}

// Through a Broadcaster, as users call it: Correct of the first update,
// then a Send, then a Retract of that one.
func TestBroadcasterRetractRestoresCorrectedFirstCard(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	u1 := fullUpdate
	u1.ID, u1.Time, u1.NextUpdate = "u1", now.Add(-3*time.Minute), time.Time{}
	_, err = b.Send(ctx, u1)
	require.NoError(t, err)
	fix := u1
	fix.ID, fix.Status, fix.Impact = "u1_fix", broadcast.StatusInvestigating, broadcast.ImpactCritical
	_, err = b.Correct(ctx, "u1", fix)
	require.NoError(t, err)
	u2 := u1
	u2.ID, u2.Status, u2.Time = "u2", broadcast.StatusResolved, now.Add(-time.Minute)
	_, err = b.Send(ctx, u2)
	require.NoError(t, err)
	require.Equal(t, "Resolved", f.message(0).embeds[0].Fields[0].Value)

	_, err = b.Retract(ctx, "u2")
	require.NoError(t, err)
	card := f.message(0).embeds[0]
	assert.Equal(t, "Investigating", card.Fields[0].Value)
	assert.Equal(t, colorCritical, card.Color)
}

// bigCard is an update whose status card is near Discord's limits: a long
// title, long advice, many components.
func bigCard() broadcast.Update {
	u := fullUpdate
	u.Title = "Erhöhte Fehlerraten und Zeitüberschreitungen bei <CDN> & API in Zürich, Frankfurt, Amsterdam, " +
		"London, Paris, Madrid, Mailand, Wien, Warschau, Stockholm, Oslo, Kopenhagen und Helsinki seit dem Update der Edge-Konfiguration"
	u.Advice = "Retry failed requests with *exponential backoff* and jitter; pin clients to https://eu2.example.com/api " +
		"until the edge is healthy again. Uploads larger than 100 MB may time out: split them, or use the resumable " +
		"upload endpoint documented at https://docs.example.com/uploads#resumable. Webhook deliveries are queued and " +
		"will be retried; there is no need to re-register endpoints. Dashboards may show stale numbers for up to " +
		"fifteen minutes after recovery, and API keys created during the incident work as usual."
	u.Components = nil
	for i, city := range []string{"Zürich", "Frankfurt", "Amsterdam", "London", "Paris", "Madrid", "Milano", "Wien",
		"Warszawa", "Stockholm", "Oslo", "København", "Helsinki", "Dublin", "Lisboa", "Praha", "Budapest", "Athína",
		"Bucureşti", "Sofia", "Zagreb", "Bruxelles", "Luxembourg", "Tallinn", "Rīga", "Vilnius"} {
		u.Components = append(u.Components, broadcast.Component{Name: fmt.Sprintf("%s edge (PoP %d, <%s>)", city, 100+i*7, strings.ToLower(city[:3])),
			Status: []broadcast.ComponentStatus{broadcast.ComponentPartialOutage, broadcast.ComponentDegraded, broadcast.ComponentMajorOutage}[i%3]})
	}
	return u
}

// The receipts of an incident's later updates, which the Store keeps one
// per update and channel, keep what a retraction needs of the first
// post's card in a compact form: before, each carried the whole card as
// JSON, 2 KB and more for a card near Discord's limits.
func TestLaterReceiptsStaySmall(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	first := bigCard()
	root := send(t, ch, first, broadcast.Thread{})
	card, err := json.Marshal(f.message(0).embeds[0])
	require.NoError(t, err)
	require.Greater(t, len(card), 2000, "the card is big")

	second := first
	second.ID, second.Status, second.Time = "u_second", broadcast.StatusMonitoring, first.Time.Add(time.Minute)
	r2 := send(t, ch, second, broadcast.Thread{Root: root, Last: root})
	third := first
	third.ID, third.Status, third.Time = "u_third", broadcast.StatusResolved, first.Time.Add(time.Hour)
	r3 := send(t, ch, third, broadcast.Thread{Root: root, Last: r2})
	for _, r := range []broadcast.Receipt{root, r2, r3} {
		kept := len(r.Meta[metaFirstForm]) + len(r.Meta[metaFirstCard])
		assert.NotZero(t, kept, "the receipt of %s keeps the first post's card", r.ID)
		assert.Less(t, kept, len(card)*2/3, "the receipt of %s: %v", r.ID, r.Meta)
	}

	// What they keep still sets the card back.
	require.NoError(t, ch.Retract(context.Background(), r3))
	require.NoError(t, ch.Retract(context.Background(), r2))
	got := f.message(0).embeds[0]
	assert.Equal(t, "Identified", got.Fields[0].Value)
	want := statusEmbed(first, true)
	assert.Equal(t, want.Title, got.Title)
	assert.Equal(t, want.Fields, got.Fields)
}

// A receipt made before the compact form, with the whole first card as
// JSON ("first_card"), still sets the card back.
func TestRetractWithOldReceipts(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	_, second, third := threeUpdates(t, ch)
	old := func(r broadcast.Receipt) broadcast.Receipt {
		raw, err := json.Marshal(statusEmbed(fullUpdate, true))
		require.NoError(t, err)
		for k := range r.Meta {
			if k == metaFirstForm {
				delete(r.Meta, k)
			}
		}
		r.Meta[metaFirstCard] = string(raw)
		return r
	}
	require.NoError(t, ch.Retract(context.Background(), old(third)))
	assert.Equal(t, "Monitoring", f.message(0).embeds[0].Fields[0].Value)
	require.NoError(t, ch.Retract(context.Background(), old(second)))
	assert.Equal(t, "Identified", f.message(0).embeds[0].Fields[0].Value)
}
