package channeltest_test

import (
	"errors"
	"fmt"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// An adapter that fans out to many recipients tests its retries with a
// Ledger: it marks what an earlier attempt did, sends again with the same
// Ledger, and checks that only the others were reached.
func ExampleLedger() {
	l := channeltest.NewLedger()
	_ = l.MarkDelivered("ada@example.com")                                 // done by attempt 1
	_ = l.MarkFailed("bob@example.com", errors.New("550 no such mailbox")) // permanent, never retried

	for _, to := range []string{"ada@example.com", "bob@example.com", "eve@example.com"} {
		if done, _ := l.Done(to); done {
			continue
		}
		fmt.Println("attempt 2 sends to", to)
		_ = l.MarkDelivered(to)
	}
	fmt.Println("delivered:", l.Delivered())
	fmt.Println("failed:", l.Failed())
	fmt.Println(l.Done("bob@example.com"))
	// Output:
	// attempt 2 sends to eve@example.com
	// delivered: [ada@example.com eve@example.com]
	// failed: map[bob@example.com:550 no such mailbox]
	// true 550 no such mailbox
}
