package email_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
)

// An older update retried after a newer one of the incident reached some
// recipients: the Receipt counts those as superseded, as the Result lists
// them, not as skipped (done earlier), which only the recipient the older
// update reached itself is.
func TestReceiptCountsSupersededRecipientsApart(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	to := []string{"a@example.net", "b@example.net", "c@example.net", "d@example.net"}
	ch := newChannel(t, config(srv, to...))
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{Store: broadcast.NewMemoryStore(),
		Retry: broadcast.RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	older, newer := incident(1), incident(2)
	ctx := context.Background()
	const later = "451 4.3.0 try again later"
	srv.script(func(s *fakeSMTP) {
		s.rcptFor["d@example.net"] = "550 5.1.1 mailbox unavailable"
		s.rcptFor["b@example.net"], s.rcptFor["c@example.net"] = later, later
	})
	_, err = b.Send(ctx, older)
	require.Error(t, err, "the older update reaches a alone")
	srv.script(func(s *fakeSMTP) { s.rcptFor["a@example.net"], s.rcptFor["b@example.net"] = later, "" })
	_, err = b.Send(ctx, newer)
	require.Error(t, err, "the newer update reaches b alone")

	srv.script(func(s *fakeSMTP) { s.rcptFor["a@example.net"], s.rcptFor["c@example.net"] = "", "" })
	before := len(srv.messages())
	rep, err := b.Send(ctx, older)
	require.Error(t, err, "d refused it")
	res := rep.Results[0]
	assert.False(t, res.Skipped)
	assert.False(t, res.Superseded)
	assert.Equal(t, []string{"c@example.net"}, res.Delivered)
	assert.Equal(t, []string{"b@example.net"}, res.SupersededTargets)
	require.Len(t, res.Failures, 1)
	assert.Equal(t, "d@example.net", res.Failures[0].Target)
	assert.Equal(t, "1", res.Receipt.Meta["sent"])
	assert.Equal(t, "1", res.Receipt.Meta["skipped"], "a, reached earlier")
	assert.Equal(t, "1", res.Receipt.Meta["superseded"], "b, reached by the newer update first")
	got := srv.messages()[before:]
	require.Len(t, got, 1)
	assert.Equal(t, []string{"c@example.net"}, got[0].to)
}

// A recipient whose delivery of an older update was left uncertain, and
// whom a newer update of the incident then reached first, is not sent the
// older one again: they cannot have it twice, and the receipt of the
// older update's next Send does not name them as uncertain.
func TestSupersededRecipientNotUncertain(t *testing.T) {
	const alice, bob, carol = "alice@example.net", "bob@example.net", "carol@example.net"
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	srv.script(func(s *fakeSMTP) {
		s.dataPlan[alice] = []string{acceptDrop}
		s.rcptFor[carol] = "451 4.2.0 mailbox busy"
	})
	cfg := config(srv, alice, bob, carol)
	cfg.Concurrency = 1
	b, err := broadcast.New([]broadcast.Channel{newChannel(t, cfg)}, broadcast.Options{Store: broadcast.NewMemoryStore(),
		Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	ctx := context.Background()
	rep, err := b.Send(ctx, incident(1))
	require.Error(t, err)
	require.ErrorIs(t, rep.Results[0].Err, email.ErrDeliveryUncertain, "alice's delivery is uncertain")
	_, err = b.Send(ctx, incident(2))
	require.Error(t, err, "carol is busy")

	srv.script(func(s *fakeSMTP) { s.rcptFor[carol] = "" })
	rep, err = b.Send(ctx, incident(1))
	require.NoError(t, err)
	res := rep.Results[0]
	assert.Equal(t, []string{carol}, res.Delivered)
	assert.Equal(t, []string{alice}, res.SupersededTargets)
	assert.Empty(t, res.Receipt.Meta["uncertain"], "alice did not get the older update again")
	assert.Equal(t, map[string]int{alice: 2, bob: 2, carol: 1}, deliveredTo(srv), "carol waits for the newer update")
}
