package broadcast_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// Message.Validate refuses what Update.Validate refuses, naming the
// field, but not a NextUpdate before a Time that was filled in: Send
// takes an update without a Time whose NextUpdate has passed.
func TestMessageValidate(t *testing.T) {
	u := broadcast.Update{Title: strings.Repeat("x", broadcast.MaxTitleLength+1), Status: broadcast.StatusInvestigating}
	err := broadcast.NewMessage(u).Validate()
	require.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
	assert.Equal(t, "Title", broadcast.FieldErrors(err)[0].Field)

	u = broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating, NextUpdate: time.Now().Add(-time.Hour)}
	require.NoError(t, u.Validate())
	m := broadcast.NewMessage(u)
	require.Error(t, m.Update.Validate(), "the filled-in Time is after the NextUpdate")
	assert.NoError(t, m.Validate())
}
