package broadcast_test

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// postRooms is handRooms whose posts are deleted by hand one by one (by
// the number Send gives each post, its Meta for the room), as on a real
// platform: a room's new post is there even when its first was deleted.
// Its Edit edits the post prev names for each room, and some rooms fail
// an edit transiently (flaky, a number of times; -1: always) or refuse it
// for good (refuse).
type postRooms struct {
	handRooms
	gone   map[string]bool // post numbers deleted by hand
	flaky  map[string]int  // by room
	refuse map[string]bool // by room
	// editedPosts are the posts edited, "room:number", by Edit.
	editedPosts []string
}

func newPostRooms(rooms ...string) *postRooms {
	return &postRooms{handRooms: handRooms{name: "chat", targets: rooms, deleted: map[string]bool{}, frozen: map[string]bool{}},
		gone: map[string]bool{}, flaky: map[string]int{}, refuse: map[string]bool{}}
}

func (r *postRooms) Edit(_ context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, r.targets)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, i := range f.Todo() {
		room := r.targets[i]
		post := prev.Meta[room]
		switch {
		case post == "" || r.gone[post]:
			f.Report(i, broadcast.Permanent(fmt.Errorf("404 message not found in %s: %w", room, broadcast.ErrPostGone)))
		case r.refuse[room]:
			f.Report(i, broadcast.Permanent(fmt.Errorf("403 forbidden in %s", room)))
		case r.flaky[room] != 0:
			r.flaky[room]--
			f.Report(i, fmt.Errorf("503 in %s", room))
		default:
			r.editedPosts = append(r.editedPosts, room+":"+post)
			f.Report(i, nil)
		}
	}
	return prev, f.Err()
}

func (r *postRooms) Retract(_ context.Context, prev broadcast.Receipt) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, post := range prev.Meta {
		r.gone[post] = true
	}
	return nil
}

func (r *postRooms) edits() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]string(nil), r.editedPosts...)
	r.editedPosts = nil
	sort.Strings(out)
	return out
}

func quickRetry(attempts int) broadcast.Options {
	return broadcast.Options{Retry: broadcast.RetryPolicy{MaxAttempts: attempts,
		InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}}
}
