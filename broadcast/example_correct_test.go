package broadcast_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/outagecast/outagecast/broadcast"
)

// chat is a channel whose platform can edit and delete posts: an Editor
// and a Retractor.
type chat struct{ posts map[string]string } // post ID → text

func (c *chat) Name() string { return "chat" }

func (c *chat) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	id := fmt.Sprint("msg-", len(c.posts)+1)
	c.posts[id] = m.Update.Body
	return broadcast.Receipt{ID: id}, nil
}

func (c *chat) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	c.posts[prev.ID] = m.Update.Body
	return prev, nil
}

func (c *chat) Retract(ctx context.Context, prev broadcast.Receipt) error {
	delete(c.posts, prev.ID)
	return nil
}

// newSMS returns a channel that cannot edit nor delete what it sent, and
// the texts it sent.
func newSMS() (broadcast.Channel, *[]string) {
	var sent []string
	return broadcast.ChannelFunc("sms", func(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		if m.Update.Corrects != "" {
			sent = append(sent, "correction of "+m.Update.Corrects+": "+m.Update.Body)
		} else {
			sent = append(sent, m.Update.Body)
		}
		return broadcast.Receipt{ID: fmt.Sprint("sms-", len(sent))}, nil
	}), &sent
}

// Correct fixes a wrong update everywhere: a channel that can edit (an
// Editor) changes its post in place; any other channel posts the corrected
// update in the incident's thread, with Update.Corrects naming the update it
// corrects (the templates render it as "Correction: …").
func ExampleBroadcaster_Correct() {
	room := &chat{posts: map[string]string{}}
	text, sms := newSMS()
	b, err := broadcast.New([]broadcast.Channel{room, text}, broadcast.Options{})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	ctx := context.Background()

	u := broadcast.Update{ID: "cdn-42-1", IncidentID: "cdn-42", Title: "CDN errors",
		Status: broadcast.StatusIdentified, Body: "A bad config push in the US."}
	if _, err := b.Send(ctx, u); err != nil {
		panic(err)
	}
	fixed := u
	fixed.ID, fixed.Body = "cdn-42-2", "A bad config push in Europe."
	if _, err := b.Correct(ctx, "cdn-42-1", fixed); err != nil {
		panic(err)
	}
	fmt.Println("chat:", room.posts)
	fmt.Println("sms:", *sms)
	// Output:
	// chat: map[msg-1:A bad config push in Europe.]
	// sms: [A bad config push in the US. correction of cdn-42-1: A bad config push in Europe.]
}

// Retract withdraws an update: it deletes the update's posts where the
// channel can (a Retractor); elsewhere the channel's error wraps
// ErrNotSupported, since the post is still out there. Sending the update
// again afterwards posts nothing.
func ExampleBroadcaster_Retract() {
	room := &chat{posts: map[string]string{}}
	text, sms := newSMS()
	b, err := broadcast.New([]broadcast.Channel{room, text}, broadcast.Options{})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	ctx := context.Background()

	u := broadcast.Update{ID: "cdn-42-1", IncidentID: "cdn-42", Title: "CDN errors",
		Status: broadcast.StatusResolved, Body: "Sent too early: still failing."}
	if _, err := b.Send(ctx, u); err != nil {
		panic(err)
	}
	rep, err := b.Retract(ctx, "cdn-42-1")
	fmt.Println("chat after Retract:", room.posts)
	for _, r := range rep.Results {
		fmt.Printf("%s: error %v\n", r.Channel, r.Err)
	}
	fmt.Println(errors.Is(err, broadcast.ErrNotSupported))

	if _, err := b.Send(ctx, u); err != nil {
		panic(err)
	}
	fmt.Println("chat after Send again:", room.posts, "sms sent:", len(*sms))
	// Output:
	// chat after Retract: map[]
	// chat: error <nil>
	// sms: error broadcast: not supported by this channel: the platform's posts cannot be deleted
	// true
	// chat after Send again: map[] sms sent: 1
}
