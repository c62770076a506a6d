package broadcast_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An ID that shows nothing (white space, a zero width space) was taken as
// the idempotency key: the next update given that blank ID, of another
// incident, was reported Skipped, delivered earlier, and never posted; a
// blank IncidentID threaded every incident into one. A key holding a bidi
// control turned around the text printed after it (a report's "update …
// of incident …"), so that two IDs looked alike. Validate now refuses
// both, naming the field, and Send posts nothing.
func TestValidateRefusesBlankKeysAndBidiControls(t *testing.T) {
	for _, c := range []struct {
		field string
		set   func(u *broadcast.Update)
	}{
		{"ID", func(u *broadcast.Update) { u.ID = " " }},
		{"ID", func(u *broadcast.Update) { u.ID = "\u200b" }},
		{"ID", func(u *broadcast.Update) { u.ID = "u-1\u202e2-u" }},
		{"IncidentID", func(u *broadcast.Update) { u.IncidentID = "\t " }},
		{"IncidentID", func(u *broadcast.Update) { u.IncidentID = "cdn\u2066-42" }},
		{"Corrects", func(u *broadcast.Update) { u.Corrects = "  " }},
	} {
		u := validUpdate()
		c.set(&u)
		err := u.Validate()
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "%+v", u)
		fes := broadcast.FieldErrors(err)
		require.Len(t, fes, 1)
		assert.Equal(t, c.field, fes[0].Field, "%+v", u)
	}

	// What stays valid: a key with a joiner, as Persian writes, and one
	// with spaces inside.
	for _, id := range []string{"\u0642\u0637\u0639\u06cc\u200c\u0633\u0631\u0648\u06cc\u0633", "cdn 42"} {
		u := validUpdate()
		u.ID, u.IncidentID = id, id
		assert.NoError(t, u.Validate(), "%q", id)
	}

	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	first := validUpdate()
	first.ID = " "
	rep, err := b.Send(context.Background(), first)
	assert.Nil(t, rep)
	assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Contains(t, err.Error(), "ID: blank")
	assert.Zero(t, x.count(), "nothing posted")
}

// An original given to Correct (or Jobs) that no update can have, blank or
// with a bidi control, is refused naming original, the argument the caller
// gave. Before, the error named Corrects, a field the caller never set.
func TestCorrectNamesABlankOriginal(t *testing.T) {
	x := &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{}, x)
	for _, original := range []string{" ", "\u200b", "u-1\u202e2-u"} {
		_, err := b.Correct(context.Background(), original, validUpdate())
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "%q", original)
		fes := broadcast.FieldErrors(err)
		require.Len(t, fes, 1, "%q", original)
		assert.Equal(t, "original", fes[0].Field, "%q", original)
		assert.NotContains(t, err.Error(), "leave it empty", "%q: original cannot be left empty", original)

		_, err = b.Jobs(broadcast.JobCorrect, validUpdate(), original)
		require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "%q", original)
		assert.Equal(t, "original", broadcast.FieldErrors(err)[0].Field, "%q", original)
	}
	assert.Zero(t, x.count(), "nothing posted")
}
