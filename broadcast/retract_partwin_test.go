package broadcast_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// boards posts each update to several boards through a Fanout, naming each
// board's post in its receipt's Meta, and deletes them on Retract: a board
// in keep fails the deletion with its error, so that the post stays there.
type boards struct {
	boards []string
	keep   map[string]error

	mu   sync.Mutex
	live map[string][]string // board → update IDs of its posts up, in the order posted
}

func (c *boards) Name() string { return "boards" }

func (c *boards) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, c.boards)
	for _, i := range f.Todo() {
		board := c.boards[i]
		c.mu.Lock()
		c.live[board] = append(c.live[board], m.Update.ID)
		c.mu.Unlock()
		f.Posted(i, broadcast.Receipt{ID: board + "/" + m.Update.ID, Meta: map[string]string{"post." + board: m.Update.ID}})
	}
	if err := f.Err(); err != nil {
		return broadcast.Receipt{}, err
	}
	return f.Receipt(), nil
}

func (c *boards) Retract(_ context.Context, prev broadcast.Receipt) error {
	f := broadcast.NewFanout(broadcast.Message{}, c.boards)
	for _, i := range f.Todo() {
		board := c.boards[i]
		id, ok := prev.Meta["post."+board]
		if !ok {
			f.Report(i, nil)
			continue
		}
		c.mu.Lock()
		err := c.keep[board]
		c.mu.Unlock()
		if err != nil {
			f.Report(i, err)
			continue
		}
		c.mu.Lock()
		c.live[board] = slices.DeleteFunc(c.live[board], func(u string) bool { return u == id })
		c.mu.Unlock()
		f.Report(i, nil)
	}
	return f.Err()
}

func (c *boards) posts() map[string][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]string{}
	for b, ids := range c.live {
		out[b] = slices.Clone(ids)
	}
	return out
}

// A Retract of an incident's newest update that deleted its post on some
// boards of a fan-out channel and was refused on another, or gave up
// retrying there, leaves an older update of the incident to post where the
// newer post is gone: those boards showed nothing current, the older
// update being superseded on the whole channel. The board still holding
// the newer post is left out, and the Result says so.
func TestOlderUpdateAfterAPartlyFailedRetraction(t *testing.T) {
	for name, failure := range map[string]error{
		"refused": broadcast.Permanent(errors.New("403 forbidden")),
		"gave up": errors.New("503 service unavailable"),
	} {
		t.Run(name, func(t *testing.T) {
			ch := &boards{boards: []string{"eu", "us", "ap"}, keep: map[string]error{"ap": failure}, live: map[string][]string{}}
			b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
			ctx := context.Background()
			older, newer := incidentUpdates()

			_, err := b.Send(ctx, newer)
			require.NoError(t, err)
			_, err = b.Retract(ctx, "newer")
			require.Error(t, err, "ap kept the post")
			require.Equal(t, map[string][]string{"eu": {}, "us": {}, "ap": {"newer"}}, ch.posts())

			rep, err := b.Send(ctx, older)
			require.NoError(t, err)
			res := rep.Results[0]
			assert.False(t, res.Superseded, "eu and us show nothing of the incident")
			assert.Equal(t, []string{"eu", "us"}, res.Delivered)
			assert.Equal(t, []string{"ap"}, res.SupersededTargets)
			assert.Equal(t, map[string][]string{"eu": {"older"}, "us": {"older"}, "ap": {"newer"}}, ch.posts())
		})
	}
}

// Each failed Retract of a post deletes it from more targets, never fewer:
// a board whose post an earlier Retract deleted, and that a later one
// reports failed, has no newer post to keep the older update from. A
// Retract that deleted nothing leaves the older update superseded on the
// whole channel, as before.
func TestOlderUpdateAfterRetractionsFailedOnDifferentTargets(t *testing.T) {
	refused := broadcast.Permanent(errors.New("403 forbidden"))
	ch := &boards{boards: []string{"eu", "us", "ap"}, keep: map[string]error{"eu": refused, "us": refused, "ap": refused},
		live: map[string][]string{}}
	b := newBroadcaster(t, broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: 1}}, ch)
	ctx := context.Background()
	older, newer := incidentUpdates()
	_, err := b.Send(ctx, newer)
	require.NoError(t, err)

	_, err = b.Retract(ctx, "newer")
	require.Error(t, err, "every board refused")
	rep, err := b.Send(ctx, older)
	require.NoError(t, err)
	assert.True(t, rep.Results[0].Superseded, "every board keeps the newer post")

	ch.mu.Lock()
	ch.keep = map[string]error{"us": refused, "ap": refused}
	ch.mu.Unlock()
	_, err = b.Retract(ctx, "newer")
	require.Error(t, err, "us and ap refused")
	ch.mu.Lock()
	ch.keep = map[string]error{"eu": refused, "ap": refused}
	ch.mu.Unlock()
	_, err = b.Retract(ctx, "newer")
	require.Error(t, err, "eu and ap refused")
	require.Equal(t, map[string][]string{"eu": {}, "us": {}, "ap": {"newer"}}, ch.posts())

	rep, err = b.Send(ctx, older)
	require.NoError(t, err)
	assert.Equal(t, []string{"eu", "us"}, rep.Results[0].Delivered)
	assert.Equal(t, []string{"ap"}, rep.Results[0].SupersededTargets)
	assert.Equal(t, map[string][]string{"eu": {"older"}, "us": {"older"}, "ap": {"newer"}}, ch.posts())
}

// incidentUpdates returns two updates of incident cdn, the second an hour
// newer than the first.
func incidentUpdates() (older, newer broadcast.Update) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	older, newer = validUpdate(), validUpdate()
	older.ID, older.IncidentID, older.Time = "older", "cdn", base
	newer.ID, newer.IncidentID, newer.Time = "newer", "cdn", base.Add(time.Hour)
	newer.Status = broadcast.StatusIdentified
	return older, newer
}
