package slack

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// A panic in Config.HTTPClient's Transport (its Proxy function here) in
// the post to one conversation, which runs in a goroutine of the Send's
// (each), is raised in the goroutine that called Send once the others
// ended, where the Broadcaster fails the channel for it, rather than end
// the process; the other conversations get the update. The panic's value
// is not shown: it may quote the request, and the token.
func TestTransportPanicRaisedInTheCaller(t *testing.T) {
	tr := &http.Transport{Proxy: func(r *http.Request) (*url.URL, error) {
		body, err := r.GetBody()
		require.NoError(t, err)
		raw, _ := io.ReadAll(body)
		if bytes.Contains(raw, []byte(`"#eng"`)) {
			panic("no proxy for " + r.Header.Get("Authorization"))
		}
		return nil, nil
	}}
	t.Cleanup(tr.CloseIdleConnections)
	ch, f := newTestChannel(t, Config{Name: "ops-slack", Channels: []string{"#ops", "#eng", "#status"},
		HTTPClient: &http.Client{Transport: tr}})
	ledger := channeltest.NewLedger()
	m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
	m.Ledger = ledger
	var raised any
	func() {
		defer func() { raised = recover() }()
		_, _ = ch.Send(context.Background(), m)
	}()
	require.NotNil(t, raised, "the panic reaches the caller")
	assert.Equal(t, "slack: panicked", fmt.Sprint(raised))
	assert.NotContains(t, fmt.Sprint(raised), testToken)
	assert.ElementsMatch(t, []string{"#ops", "#status"}, ledger.Delivered())
	assert.Len(t, f.Received(), 2)
}
