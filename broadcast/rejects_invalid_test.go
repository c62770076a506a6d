package broadcast_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// invalidUpdates are updates Send refuses, each with the field its error
// names; the zero Route would select each of them were it not checked.
func invalidUpdates() map[string]broadcast.Update {
	out := map[string]broadcast.Update{}
	u := validUpdate()
	u.Title = "CDN\x00"
	out["Title"] = u
	u = validUpdate()
	u.Status = "down"
	out["Status"] = u
	u = validUpdate()
	u.Components = []broadcast.Component{{Name: "CDN\xff", Status: broadcast.ComponentMajorOutage}}
	out["Components[0].Name"] = u
	u = validUpdate()
	u.IncidentID = "cdn\n42"
	out["IncidentID"] = u
	return out
}

// Route.Rejects of an update that Validate refuses says so, naming the
// field, rather than judge it as if it were valid; Selects takes none.
func TestRouteRejectsInvalidUpdate(t *testing.T) {
	for field, u := range invalidUpdates() {
		t.Run(field, func(t *testing.T) {
			for _, r := range []broadcast.Route{{}, {Statuses: []broadcast.Status{broadcast.StatusInvestigating}}} {
				why := r.Rejects(u, broadcast.Thread{})
				assert.Contains(t, why, "invalid update: "+field+": ")
				assert.False(t, r.Selects(u, broadcast.Thread{}))
			}
		})
	}
	assert.Empty(t, broadcast.Route{}.Rejects(validUpdate(), broadcast.Thread{}), "a valid update is selected")
}

// CorrectionRejects refuses, as Correct does, a correction that Correct
// would refuse, naming the field, rather than say where it would go.
func TestCorrectionRejectsInvalidUpdate(t *testing.T) {
	ctx := context.Background()
	web, x := &script{name: "web"}, &script{name: "x"}
	b := newBroadcaster(t, broadcast.Options{Routes: majorOnX}, web, x)
	sent := validUpdate()
	sent.ID, sent.IncidentID = "u1", "cdn-42"
	_, err := b.Send(ctx, sent)
	require.NoError(t, err)

	fixed := sent
	fixed.ID, fixed.Body = "u2", "We identified the cause."
	why, err := b.CorrectionRejects(ctx, "u1", fixed, "x")
	require.NoError(t, err)
	assert.Empty(t, why)

	cases := invalidUpdates()
	same := fixed
	same.ID = "u1"
	cases["ID"] = same
	override := fixed
	override.Overrides = map[string]string{"twiter": "text"}
	cases[`Overrides["twiter"]`] = override
	for name, u := range cases {
		t.Run(name, func(t *testing.T) {
			if u.IncidentID == "" {
				u.IncidentID = "cdn-42"
			}
			if u.ID == "" {
				u.ID = "u2"
			}
			_, cerr := b.Correct(ctx, "u1", u)
			require.ErrorIs(t, cerr, broadcast.ErrInvalidUpdate, "Correct refuses it")
			why, err := b.CorrectionRejects(ctx, "u1", u, "x")
			require.ErrorIs(t, err, broadcast.ErrInvalidUpdate, "said %q", why)
			var fe *broadcast.FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, name, fe.Field)
			assert.Empty(t, why)
		})
	}
}
