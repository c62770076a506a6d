package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// The original reached some targets of a channel whose "when:" leaves the
// correction out (the record the Broadcaster keeps of a fan-out that
// failed halfway, written here as it writes it): the correction goes
// there, and the dry run of -correct says so.
func TestDryRunCorrectAgreesWithCorrectAfterAPartialDelivery(t *testing.T) {
	h := newHookReceiver(t)
	t.Setenv("WEBHOOK_SECRET", testSecret)
	cfg := writeConfig(t, fastRetry+"channels:\n"+hookConfig(t, h)+
		fmt.Sprintf("  - type: webhook\n    name: late\n    url: %s/late\n    secret: ${WEBHOOK_SECRET}\n    when: {statuses: [resolved]}\n", h.URL))
	state := filepath.Join(t.TempDir(), "state.db")
	first := announce(t, context.Background(), "", "-config", cfg, "-state", state, "-incident", "cdn",
		"-title", "Elevated CDN errors", "-status", "identified", "-body", "A bad deploy in EU.")
	require.Equal(t, exitOK, first.code, first.stderr)
	id := updateIDOf(t, first.stdout)

	// What the Broadcaster records of a delivery that reached some targets.
	s, err := boltstore.Open(state, nil)
	require.NoError(t, err)
	key := "\x00partial\x00" + id
	require.NoError(t, s.SaveReceipt(context.Background(), "\x00posts"+key, key,
		broadcast.Receipt{Channel: "late", ID: "p1", UpdateID: id}))
	require.NoError(t, s.Close())

	args := []string{"-config", cfg, "-state", state, "-incident", "cdn", "-correct", id,
		"-title", "Elevated CDN errors", "-status", "identified", "-body", "A bad deploy in US-East."}
	dry := announce(t, context.Background(), "", append(args, "-dry-run")...)
	require.Equal(t, exitOK, dry.code, dry.stderr)
	sent := announce(t, context.Background(), "", args...)
	require.Equal(t, exitOK, sent.code, sent.stderr)
	t.Logf("send:\n%s", sent.stdout)
	assert.Regexp(t, `late +delivered`, sent.stdout)
	assert.NotContains(t, dry.stdout, "--- late: not sent", "the dry run agrees with the send")
}
