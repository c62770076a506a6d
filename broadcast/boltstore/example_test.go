package boltstore_test

import (
	"context"
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
