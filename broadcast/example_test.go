package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// A Broadcaster delivers one update to every channel, retrying each on its
// own. Here a channel fails twice with a transient error before it gets
// through.
func Example() {
	tries := 0
	flaky := broadcast.ChannelFunc("status-bot", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		tries++
		if tries < 3 {
			return broadcast.Receipt{}, errors.New("connection reset by peer")
		}
		return broadcast.Receipt{ID: "post-1"}, nil
	})
	b, err := broadcast.New([]broadcast.Channel{flaky}, broadcast.Options{
		Retry: broadcast.RetryPolicy{InitialInterval: time.Millisecond},
	})
	if err != nil {
		panic(err)
	}
	defer b.Close()

	rep, err := b.Send(context.Background(), broadcast.Update{
		Title:  "Elevated CDN error rates",
		Status: broadcast.StatusInvestigating,
		Body:   "We are investigating elevated error rates on the CDN.",
		URL:    "https://status.example.com/incidents/42",
	})
	fmt.Println("error:", err)
	for _, r := range rep.Results {
		fmt.Printf("%s: delivered as %s after %d attempts\n", r.Channel, r.Receipt.ID, r.Attempts)
	}
	// Output:
	// error: <nil>
	// status-bot: delivered as post-1 after 3 attempts
}

// Errors a channel marks Permanent are not retried; Send reports every
// failed channel as a *DeliveryError.
func Example_permanent() {
	denied := broadcast.ChannelFunc("x", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		return broadcast.Receipt{}, broadcast.Permanent(errors.New("401 Unauthorized"))
	})
	b, err := broadcast.New([]broadcast.Channel{denied}, broadcast.Options{})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	_, err = b.Send(context.Background(), broadcast.Update{Title: "API outage", Status: broadcast.StatusIdentified})

	var de *broadcast.DeliveryError
	if errors.As(err, &de) {
		fmt.Println(de.Channel, de.Attempts, broadcast.IsPermanent(err))
	}
	fmt.Println(err)
	// Output:
	// x 1 true
	// broadcast: channel x failed after 1 attempt: 401 Unauthorized
}

// Later updates of an incident carry the channel's receipts of the
// incident's first and latest posts in Message.Thread, so channels can post
// them as replies. Sending the same update again delivers nothing twice.
func Example_threading() {
	n := 0
	ch := broadcast.ChannelFunc("x", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		n++
		fmt.Printf("post %d: %s, replying to %q\n", n, m.Update.Status, m.Thread.Last.ID)
		return broadcast.Receipt{ID: fmt.Sprint("tweet-", n)}, nil
	})
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	ctx := context.Background()

	first := broadcast.Update{IncidentID: "cdn-42", Title: "CDN errors", Status: broadcast.StatusInvestigating}
	_, _ = b.Send(ctx, first)
	_, _ = b.Send(ctx, broadcast.Update{IncidentID: "cdn-42", Title: "CDN errors", Status: broadcast.StatusResolved})
	rep, _ := b.Send(ctx, first) // same content, same derived ID
	fmt.Println("again skipped:", rep.Results[0].Skipped)
	// Output:
	// post 1: investigating, replying to ""
	// post 2: resolved, replying to "tweet-1"
	// again skipped: true
}

// Update.Validate names the field at fault.
func ExampleUpdate_Validate() {
	err := broadcast.Update{Title: "Database failover", Status: "down"}.Validate()
	fmt.Println(err)
	fmt.Println(errors.Is(err, broadcast.ErrInvalidUpdate))
	// Output:
	// broadcast: invalid update: Status: unknown value "down"
	// true
}

// With several fields at fault, Validate names them all; FieldErrors gives
// each, for a caller that answers field by field (an HTTP API's 422).
func ExampleFieldErrors() {
	err := broadcast.Update{Title: " ", Status: "down", URL: "status.example.com"}.Validate()
	fmt.Println(err)
	for _, fe := range broadcast.FieldErrors(fmt.Errorf("queue the update: %w", err)) {
		fmt.Printf("%s: %s\n", fe.Field, fe.Problem)
	}
	// Output:
	// broadcast: invalid update: Title: missing; Status: unknown value "down"; URL: must be an absolute http or https URL
	// Title: missing
	// Status: unknown value "down"
	// URL: must be an absolute http or https URL
}

// A channel with many targets books them with a Fanout: a retry reaches
// only the targets still pending, and Posted keeps each target's post in the
// Ledger, so that the receipt of the attempt that completes the delivery
// names every post, even when another Broadcaster (after a restart, or on
// another instance over the same Store) makes it.
func ExampleFanout() {
	rooms := []string{"#ops", "#eng"}
	engDown := true
	chat := broadcast.ChannelFunc("chat", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		f := broadcast.NewFanout(m, rooms)
		for _, i := range f.Todo() {
			if rooms[i] == "#eng" && engDown {
				f.Report(i, errors.New("503 Service Unavailable"))
				continue
			}
			id := "msg-" + rooms[i]
			fmt.Println("posted", id)
			f.Posted(i, broadcast.Receipt{ID: id, Meta: map[string]string{"msg " + rooms[i]: id}})
		}
		if err := f.Err(); err != nil {
			return broadcast.Receipt{}, err
		}
		return f.Receipt(), nil
	})
	store := broadcast.NewMemoryStore() // a durable Store (boltstore, pgstore) across restarts
	u := broadcast.Update{ID: "cdn-42-1", Title: "CDN errors", Status: broadcast.StatusInvestigating}

	b, _ := broadcast.New([]broadcast.Channel{chat}, broadcast.Options{Store: store, Retry: broadcast.RetryPolicy{MaxAttempts: 1}})
	_, err := b.Send(context.Background(), u)
	fmt.Println("first Send:", err)
	_ = b.Close()

	engDown = false
	restarted, _ := broadcast.New([]broadcast.Channel{chat}, broadcast.Options{Store: store})
	defer restarted.Close()
	rep, _ := restarted.Send(context.Background(), u)
	fmt.Println("receipt:", rep.Results[0].Receipt.Meta)
	// Output:
	// posted msg-#ops
	// first Send: broadcast: channel chat failed after 1 attempt: 1 of 2 targets not delivered (1 pending, 0 failed permanently): #eng: 503 Service Unavailable
	// posted msg-#eng
	// receipt: map[msg #eng:msg-#eng msg #ops:msg-#ops]
}
