package broadcast_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An update ID given on its own that no update can have (empty, blank, a
// bidi control, too long) is refused naming the argument, by every method
// that reads the Store for it as Retract is: before, SentTime, ReachedOn
// and RetractedOn took an empty one (an Update.ID left unset) for an
// update never sent, never delivered and never retracted, and said so
// without an error. CheckID, which they share, refuses what Validate
// refuses in an Update.ID.
func TestUpdateIDArgumentsAreChecked(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	ctx := context.Background()
	u := validUpdate()
	u.ID = "cdn-1"
	_, err := b.Send(ctx, u)
	require.NoError(t, err)
	calls := map[string]func(id string) error{
		"SentTime": func(id string) error {
			_, ok, err := b.SentTime(ctx, id)
			assert.False(t, ok)
			return err
		},
		"ReachedOn": func(id string) error {
			names, err := b.ReachedOn(ctx, id)
			assert.Empty(t, names)
			return err
		},
		"RetractedOn": func(id string) error {
			names, err := b.RetractedOn(ctx, id)
			assert.Empty(t, names)
			return err
		},
		"Retract": func(id string) error {
			_, err := b.Retract(ctx, id)
			return err
		},
	}
	for method, call := range calls {
		for _, id := range []string{"", " ", "\u200b", "u-1\u202e2-u", "u\x01", strings.Repeat("u", 256)} {
			err := call(id)
			require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "%s(%q)", method, id)
			fes := broadcast.FieldErrors(err)
			require.Len(t, fes, 1, "%s(%q)", method, id)
			assert.Equal(t, "updateID", fes[0].Field, "%s(%q)", method, id)
			assert.NotContains(t, err.Error(), "leave it empty", "%s(%q): there is nothing to derive", method, id)
		}
	}
	for _, id := range []string{" ", "\u200b", "u-1\u202e2-u"} {
		require.ErrorIs(t, broadcast.CheckID("original", id), broadcast.ErrInvalidUpdate, "%q", id)
	}
	require.NoError(t, broadcast.CheckID("original", u.ID))
	// A valid ID still reads the Store.
	_, ok, err := b.SentTime(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, ok)
	names, err := b.ReachedOn(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, names)
	assert.Equal(t, 1, x.count(), "nothing more posted")
}
