//go:build integration

package pgstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/ctxtest"
)

// TestPruneEndedEarlyKeepsNoRecordThatVouchesForWhatItRemoved: a Prune
// that ends part-way (its context ended; a lost connection or a process
// killed leaves the same rows) never keeps a record that vouches for
// records of the same update it removed. An update's sent mark, then the
// record of its first Send (the receipt of update "\x00sent\x00"+ID),
// are written before its deliveries' records: a Retract that finds
// either, and no record of a channel, takes the channel for one that
// never posted the update, and Skips it. Here channel x's only record is
// a mark of an attempt whose outcome is unknown, and y posted. Before,
// Prune deleted the marks table first, then the receipts table: ended
// between them, it kept the record of u's first Send and removed x's
// mark, and a Retract Skipped x, whose post may be up.
//
// The Prune is ended after each number of its context's looks in turn,
// until one runs to its end, so that every point between two of its
// statements is tried.
func TestPruneEndedEarlyKeepsNoRecordThatVouchesForWhatItRemoved(t *testing.T) {
	ctx := context.Background()
	s := migrated(t)
	for looks := 0; ; looks++ {
		_, err := s.Pool().Exec(ctx, "TRUNCATE outagecast_marks, outagecast_receipts, outagecast_threads")
		require.NoError(t, err)
		x := broadcast.ChannelFunc("x", func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
			return broadcast.Receipt{}, fmt.Errorf("no answer: %w", context.DeadlineExceeded)
		})
		y := &retractable{name: "y"}
		b, err := broadcast.New([]broadcast.Channel{x, y}, broadcast.Options{Store: s,
			Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
		require.NoError(t, err)
		u := broadcast.Update{ID: "u", IncidentID: "inc", Title: "CDN", Status: broadcast.StatusInvestigating}
		_, _ = b.Send(ctx, u) // x fails, its outcome unknown
		attempted, failure, err := s.Done(ctx, "u", "x", "\x00attempted")
		require.NoError(t, err)
		require.True(t, attempted && failure == "", "x's attempt of unknown outcome is marked")
		_, err = s.Pool().Exec(ctx, `UPDATE outagecast_marks SET marked_at = now() - interval '2 days';
			UPDATE outagecast_receipts SET saved_at = now() - interval '2 days';
			UPDATE outagecast_threads SET updated_at = now() - interval '2 days'`)
		require.NoError(t, err)

		_, err = s.Prune(ctxtest.EndsAfterLooks(ctx, looks), time.Now().Add(-24*time.Hour))
		ended := err != nil
		require.True(t, !ended || assert.ErrorIs(t, err, context.Canceled), "looks %d", looks)
		var kept []string
		if sent, _, err := s.Done(ctx, "u", "\x00sent", "\x00sent"); assert.NoError(t, err) && sent {
			kept = append(kept, "sent mark")
		}
		if _, ok, err := s.Receipt(ctx, "\x00sent\x00u", "\x00sent"); assert.NoError(t, err) && ok {
			kept = append(kept, "record of the first Send")
		}
		if _, ok, err := s.Receipt(ctx, "u", "y"); assert.NoError(t, err) && ok {
			kept = append(kept, "y's receipt")
		}

		rep, err := b.Retract(ctx, "u")
		b.Close()
		if rep == nil { // refused: no record of u is left
			assert.Empty(t, kept, "looks %d: Retract refused: %v", looks, err)
		}
		for _, r := range repResults(rep) {
			if r.Channel == "x" && len(kept) > 0 {
				assert.False(t, r.Skipped, "looks %d: x Skipped, its post maybe up, while these records of u are kept: %v", looks, kept)
			}
		}
		if !ended {
			t.Logf("Prune ran to its end after %d looks", looks)
			return
		}
	}
}

func repResults(rep *broadcast.Report) []broadcast.Result {
	if rep == nil {
		return nil
	}
	return rep.Results
}

// retractable is a channel that posts and deletes its posts.
type retractable struct {
	name string
	mu   sync.Mutex
	n    int
}

func (c *retractable) Name() string { return c.name }

func (c *retractable) Send(context.Context, broadcast.Message) (broadcast.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return broadcast.Receipt{Channel: c.name, ID: fmt.Sprint("post-", c.n)}, nil
}

func (c *retractable) Retract(context.Context, broadcast.Receipt) error { return nil }
