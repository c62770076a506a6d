package bluesky

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A login to an account that is not active (deactivated, as an account
// that moved to another server is on the old one; taken down; suspended)
// succeeds, and getSession answers 200 with "active": false and the
// status, but the server refuses every post (AccountDeactivated): Check
// says so instead of reporting the channel ready.
func TestCheckInactiveAccount(t *testing.T) {
	for _, status := range []string{"deactivated", "takendown", "suspended"} {
		t.Run(status, func(t *testing.T) {
			f := newFakePDS(t)
			ch := newTestChannel(t, f)
			f.set(func(f *fakePDS) { f.status = status })
			err := ch.Check(context.Background())
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), "bluesky: check: ")
			assert.Contains(t, err.Error(), status)
		})
	}
}
