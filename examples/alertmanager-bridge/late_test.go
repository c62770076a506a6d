package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A late copy of the firing notification (the other Alertmanager of a
// pair, cut off from it in the outage), skipped everywhere, does not make
// the incident's record say "firing" again: a later re-fire with the same
// text is still posted after the resolution, not taken for that update.
func TestLateCopyOfAnOlderNotificationDoesNotRewindTheRecord(t *testing.T) {
	ch := &recorder{name: "status"}
	srv := bridge(t, mapping{}, ch)
	for _, body := range [][]byte{sample(t, "firing.json"), sample(t, "resolved.json"),
		from(t, "firing.json", am2)} { // the last: HA peer, late
		code, _ := post(t, srv, body)
		require.Equal(t, http.StatusOK, code)
	}
	again := strings.Replace(string(sample(t, "firing.json")), "8b27d4e1c09f3a75", "c0ffee0000000001", 1)
	again = strings.Replace(again, "2024-05-14T09:13:00.5Z", "2024-05-14T11:00:00Z", 1)
	code, resp := post(t, srv, []byte(again))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "delivered", resp.Results[0].Outcome, "the re-fire")
	assert.Len(t, ch.sent(), 3)
}
