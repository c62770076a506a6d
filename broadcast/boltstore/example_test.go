package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

// announce opens the store at path, sends u through a channel that prints
// what it posts, and closes everything, as a short-lived program would.
func announce(path string, u broadcast.Update) {
	store, err := boltstore.Open(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	status := broadcast.ChannelFunc("status", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
		fmt.Printf("post %s, replying to %q\n", m.Update.Status, m.Thread.Last.ID)
		return broadcast.Receipt{ID: "post-" + string(m.Update.Status)}, nil
	})
	b, err := broadcast.New([]broadcast.Channel{status}, broadcast.Options{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	rep, err := b.Send(context.Background(), u)
	if err != nil {
		log.Fatal(err)
	}
	if rep.Results[0].Skipped {
		fmt.Println("already sent")
	}
}

// A program run three times with the same state file: the second run finds
// the update already sent, the third threads its update under the first.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "outagecast-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "outagecast.db")

	u := broadcast.Update{Title: "Elevated CDN error rates", Status: broadcast.StatusInvestigating}
	announce(path, u)
	announce(path, u)
	u.Status = broadcast.StatusResolved
	announce(path, u)
	// Output:
	// post investigating, replying to ""
	// already sent
	// post resolved, replying to "post-investigating"
}

// A channel that failed is reached by sending the same update again, after
// a restart too: the store knows which channels have the update, so the
// status page, which posted it, is skipped and X, which was down, gets it
// once.
func ExampleOpen_resend() {
	dir, err := os.MkdirTemp("", "outagecast-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "outagecast.db")

	xDown := true
	run := func(u broadcast.Update) {
		store, err := boltstore.Open(path, nil)
		if err != nil {
			log.Fatal(err)
		}
		defer store.Close()
		page := broadcast.ChannelFunc("status-page", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
			fmt.Println("status-page: posted", m.Update.Status)
			return broadcast.Receipt{ID: "incident-42"}, nil
		})
		x := broadcast.ChannelFunc("x", func(_ context.Context, m broadcast.Message) (broadcast.Receipt, error) {
			if xDown {
				return broadcast.Receipt{}, errors.New("503 Service Unavailable")
			}
			fmt.Println("x: posted", m.Update.Status)
			return broadcast.Receipt{ID: "tweet-1"}, nil
		})
		b, err := broadcast.New([]broadcast.Channel{page, x}, broadcast.Options{
			Store: store,
			Retry: broadcast.RetryPolicy{MaxAttempts: 2, InitialInterval: time.Millisecond},
		})
		if err != nil {
			log.Fatal(err)
		}
		defer b.Close()
		rep, err := b.Send(context.Background(), u)
		if err != nil {
			fmt.Println(err)
		}
		for _, r := range rep.Results {
			fmt.Printf("  %s: delivered %t, skipped %t\n", r.Channel, r.Err == nil && !r.Skipped, r.Skipped)
		}
	}

	u := broadcast.Update{ID: "cdn-42-1", IncidentID: "cdn-42", Title: "Elevated CDN error rates", Status: broadcast.StatusInvestigating}
	run(u) // X is down: Send's error names it
	xDown = false
	run(u) // a new process, the same file and update
	// Output:
	// status-page: posted investigating
	// broadcast: channel x failed after 2 attempts: 503 Service Unavailable
	//   status-page: delivered true, skipped false
	//   x: delivered false, skipped false
	// x: posted investigating
	//   status-page: delivered false, skipped true
	//   x: delivered true, skipped false
}

// Pruning what is older than a month keeps the file from growing for ever.
func ExampleStore_Prune() {
	dir, err := os.MkdirTemp("", "outagecast-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := boltstore.Open(filepath.Join(dir, "outagecast.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	ctx := context.Background()
	if err := store.Mark(ctx, "u1", "email", "ada@example.com", nil); err != nil {
		log.Fatal(err)
	}
	removed, err := store.Prune(ctx, time.Now().AddDate(0, -1, 0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("removed", removed)
	// Output: removed 0
}
