package slack

import (
	"bytes"
	"context"
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
// (each), fails that conversation for good, "chat.postMessage: panicked",
// as the webhook channel fails only the endpoint whose request panicked;
// the other conversations get the update and the Send succeeds. Before,
// the panic was raised in the caller once the others ended, failing the
// whole channel. The panic's value is not shown: it may quote the
// request, and the token.
func TestTransportPanicFailsOnlyThatConversation(t *testing.T) {
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
	var err error
	func() {
		defer func() { raised = recover() }()
		_, err = ch.Send(context.Background(), m)
	}()
	require.Nil(t, raised, "the panic fails its conversation only")
	require.NoError(t, err, "the failure is in the Ledger")
	assert.ElementsMatch(t, []string{"#ops", "#status"}, ledger.Delivered())
	assert.Len(t, f.Received(), 2)
	done, failure := ledger.Done("#eng")
	assert.True(t, done, "failed for good: no retry fixes a bug")
	assert.Equal(t, "chat.postMessage: panicked", failure)
	assert.NotContains(t, failure, testToken)
}

// panickyLedger panics when a conversation is marked delivered.
type panickyLedger struct{ *channeltest.Ledger }

func (panickyLedger) MarkDelivered(string) error { panic("ledger bug") }

func (panickyLedger) MarkPosted(string, broadcast.Receipt) error { panic("ledger bug") }

// A panic in a caller-built Message.Ledger, which each's goroutines mark
// in, is still raised in the goroutine that called Send once the others
// ended (guard.Panics): it is no conversation's failure.
func TestLedgerPanicRaisedInTheCaller(t *testing.T) {
	ch, f := newTestChannel(t, Config{Name: "ops-slack", Channels: []string{"#ops", "#eng"}})
	m := broadcast.NewMessage(update(1, broadcast.StatusInvestigating))
	m.Ledger = panickyLedger{channeltest.NewLedger()}
	var raised any
	func() {
		defer func() { raised = recover() }()
		_, _ = ch.Send(context.Background(), m)
	}()
	require.NotNil(t, raised, "the panic reaches the caller")
	err, ok := raised.(error)
	require.True(t, ok)
	assert.Equal(t, "slack: panicked", err.Error())
	assert.True(t, broadcast.IsPermanent(err))
	assert.Len(t, f.Received(), 2, "both conversations were posted to")
}
