package telegram

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A captive portal's 200 page longer than the answer the channel reads
// (answerLimit) is another server's answer as a short one is: the Bot API
// answers with a JSON object (https://core.telegram.org/bots/api#making-requests),
// and this one does not even start as one. Before, a page cut at the
// limit was taken for a message posted whose answer was cut short: the
// chat was marked delivered, and nothing was.
func TestLongForeign200IsNotDelivered(t *testing.T) {
	page := "<!DOCTYPE html><html><head><style>" + strings.Repeat("p{margin:0}", answerLimit/8) +
		"</style></head><body>Accept the terms to browse</body></html>"
	ch, calls := botAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	}, "@examplestatus", "-1002222222222")
	m := broadcast.NewMessage(broadcast.Update{ID: "u1", IncidentID: "i", Title: "CDN", Status: broadcast.StatusInvestigating})
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.ErrorIs(t, err, errNotBotAPI)
	assert.EqualValues(t, 1, calls.Load(), "every chat gets the same answer")
	done, failure := m.Ledger.Done("@examplestatus")
	assert.True(t, done)
	assert.Contains(t, failure, "not the Bot API's answer", "failed, not delivered")
	require.Error(t, ch.Check(context.Background()))
}
