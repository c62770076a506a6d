package broadcast_test

import (
	"context"
	"fmt"

	"github.com/outagecast/outagecast/broadcast"
)

// board is a channel with optional interfaces: it edits and deletes its
// posts, checks its credentials and has a connection to close.
type board struct{ posts map[string]string }

func (b *board) Name() string { return "board" }

func (b *board) Send(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	id := fmt.Sprint("post-", len(b.posts)+1)
	b.posts[id] = m.Update.Body
	return broadcast.Receipt{ID: id}, nil
}

func (b *board) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	b.posts[prev.ID] = m.Update.Body
	return prev, nil
}

func (b *board) Retract(_ context.Context, prev broadcast.Receipt) error {
	delete(b.posts, prev.ID)
	return nil
}

func (b *board) Check(context.Context) error { return nil }

func (b *board) Close() error { fmt.Println("board: connection closed"); return nil }

// logged wraps a channel and logs every Send. Its Unwrap lets the
// Broadcaster find the wrapped channel's optional methods (here Edit,
// Check and Close; Preview too, were it a Previewer); it intercepts
// Retract, to log it too, by implementing it.
type logged struct{ broadcast.Channel }

func (l logged) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	r, err := l.Channel.Send(ctx, m)
	fmt.Printf("log: sent %s: %v\n", m.Update.ID, err)
	return r, err
}

func (l logged) Retract(ctx context.Context, prev broadcast.Receipt) error {
	rt, ok := broadcast.As[broadcast.Retractor](l.Channel)
	if !ok {
		return broadcast.ErrNotSupported // as for a channel that is no Retractor
	}
	err := rt.Retract(ctx, prev)
	fmt.Printf("log: retracted %s: %v\n", prev.ID, err)
	return err
}

func (l logged) Unwrap() broadcast.Channel { return l.Channel }

// A wrapper around a Channel implements Unwrap, so that the channel's
// optional interfaces keep working through it: here the correction edits
// the post in place, the retraction deletes it, and Check and Close reach
// the channel. Without Unwrap, New would refuse the wrapper: the correction
// would be posted anew and the retraction would fail with ErrNotSupported.
func ExampleChannel_wrapper() {
	inner := &board{posts: map[string]string{}}
	b, err := broadcast.New([]broadcast.Channel{logged{inner}}, broadcast.Options{})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	fmt.Println("check:", b.Check(ctx))

	u := broadcast.Update{ID: "cdn-1", IncidentID: "cdn", Title: "CDN errors",
		Status: broadcast.StatusIdentified, Body: "A bad config push in the US."}
	if _, err := b.Send(ctx, u); err != nil {
		panic(err)
	}
	fixed := u
	fixed.ID, fixed.Body = "cdn-2", "A bad config push in Europe."
	if _, err := b.Correct(ctx, "cdn-1", fixed); err != nil {
		panic(err)
	}
	fmt.Println("posts:", inner.posts)
	if _, err := b.Retract(ctx, "cdn-1"); err != nil {
		panic(err)
	}
	fmt.Println("posts:", inner.posts)
	if err := b.Close(); err != nil {
		panic(err)
	}
	// Output:
	// check: [<nil>]
	// log: sent cdn-1: <nil>
	// posts: map[post-1:A bad config push in Europe.]
	// log: retracted post-1: <nil>
	// posts: map[]
	// board: connection closed
}
