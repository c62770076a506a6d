package boltstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

func TestPrune(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	ctx := context.Background()
	day1 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	day2 := day1.Add(24 * time.Hour)

	s.now = func() time.Time { return day1 }
	require.NoError(t, s.Mark(ctx, "u1", "email", "ada@example.com", nil))
	require.NoError(t, s.Mark(ctx, "u1", "email", "bob@example.com", errors.New("550 no such user")))
	require.NoError(t, s.SaveReceipt(ctx, "inc-1", broadcast.Receipt{Channel: "x", ID: "1"}))
	s.now = func() time.Time { return day2 }
	require.NoError(t, s.Mark(ctx, "u2", "email", "ada@example.com", nil))
	require.NoError(t, s.SaveReceipt(ctx, "inc-2", broadcast.Receipt{Channel: "x", ID: "2"}))

	n, err := s.Prune(ctx, day1)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing is older than day 1")

	n, err = s.Prune(ctx, day2)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "two marks and a receipt of day 1")
	for _, c := range []struct {
		update, target string
		want           bool
	}{
		{"u1", "ada@example.com", false},
		{"u1", "bob@example.com", false},
		{"u2", "ada@example.com", true},
	} {
		done, err := s.Done(ctx, c.update, "email", c.target)
		require.NoError(t, err)
		assert.Equal(t, c.want, done, "%+v", c)
	}
	_, found, err := s.LastReceipt(ctx, "inc-1", "x")
	require.NoError(t, err)
	assert.False(t, found)
	r, found, err := s.LastReceipt(ctx, "inc-2", "x")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "2", r.ID)
}

func TestPruneWithCancelledContextRemovesNothing(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	require.NoError(t, s.Mark(context.Background(), "u1", "email", "ada@example.com", nil))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := s.Prune(ctx, time.Now().Add(time.Hour))
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, n)
	done, err := s.Done(context.Background(), "u1", "email", "ada@example.com")
	require.NoError(t, err)
	assert.True(t, done)
}
