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
		for _, id := range badIDs("u") {
			err := call(id)
			assertRefusedID(t, err, "updateID", method, id)
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

// An incidentID no update can have (empty, blank, a bidi control, a
// control character, too long) is refused by Thread naming the argument,
// as the update IDs of SentTime and ReachedOn are: before, an empty one
// (an Update.IncidentID read before WithDefaults filled it in) gave an
// empty thread, as if no channel had posted the incident.
func TestThreadChecksIncidentID(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	ctx := context.Background()
	u := validUpdate()
	u.IncidentID = "cdn"
	rep, err := b.Send(ctx, u)
	require.NoError(t, err)
	for _, id := range badIDs("cdn") {
		th, err := b.Thread(ctx, id, "x")
		assertRefusedID(t, err, "incidentID", "Thread", id)
		assert.True(t, th.IsZero(), "%q", id)
	}
	th, err := b.Thread(ctx, "cdn", "x")
	require.NoError(t, err)
	assert.Equal(t, rep.UpdateID, th.Root.UpdateID)
}

// badIDs are IDs, made of word, that no update or incident can have:
// empty, blank, invisible, holding a bidi control or a control character,
// too long.
func badIDs(word string) []string {
	return []string{"", " ", "\u200b", word + "\u202e" + word, word + "\x01", strings.Repeat(word, 256)}
}

// assertRefusedID asserts that err, of method given id, refuses it as
// invalid, naming the argument field.
func assertRefusedID(t *testing.T, err error, field, method, id string) {
	t.Helper()
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "%s(%q)", method, id)
	fes := broadcast.FieldErrors(err)
	require.Len(t, fes, 1, "%s(%q)", method, id)
	assert.Equal(t, field, fes[0].Field, "%s(%q)", method, id)
}
