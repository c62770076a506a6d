package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
	"github.com/outagecast/outagecast/internal/syncbuf"
)

// What each Alertmanager of a pair had answered before the resolution is
// in the state file: the re-fire from the second, after a restart of the
// bridge, is posted.
func TestRefireFromTheOtherAlertmanagerAfterARestartIsPosted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	ch := &recorder{name: "status"}
	s, err := boltstore.Open(path, nil)
	require.NoError(t, err)
	_, srv := storeBridge(t, s, &syncbuf.Buffer{}, ch)
	postAll(t, srv, from(t, "firing.json", am1), from(t, "firing.json", am2), from(t, "resolved.json", am1))
	srv.Close()
	s.Close()
	s, err = boltstore.Open(path, nil)
	require.NoError(t, err)
	defer s.Close()
	_, srv = storeBridge(t, s, &syncbuf.Buffer{}, ch)
	got := postAll(t, srv, from(t, "firing.json", am2))
	assert.Equal(t, "delivered", got[0].Results[0].Outcome)
	assert.Equal(t, []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved, broadcast.StatusInvestigating}, statuses(ch))
}
