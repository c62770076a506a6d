package outagecast_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
)

// One update, every channel: here the console channel stands in for X,
// e-mail, webhooks and IRC. Later updates of the same incident thread under
// the earlier posts; sending the same update again delivers nothing twice.
func Example() {
	x, err := console.New(console.Config{Name: "x-preview", Template: "short", Writer: os.Stdout})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := broadcast.New([]broadcast.Channel{x}, broadcast.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	ctx := context.Background()
	update := broadcast.Update{
		IncidentID: "cdn-2026-11-24",
		Title:      "Elevated CDN error rates",
		Status:     broadcast.StatusInvestigating,
		Body:       "We are investigating elevated error rates on the CDN.",
		URL:        "https://status.example.com/incidents/42",
		Time:       time.Date(2026, 11, 24, 14, 2, 0, 0, time.UTC),
		NextUpdate: time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC),
	}
	if _, err := b.Send(ctx, update); err != nil {
		fmt.Println(err)
	}
	update.Status, update.Body, update.NextUpdate = broadcast.StatusResolved, "Error rates are back to normal.", time.Time{}
	rep, err := b.Send(ctx, update)
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println()
	for _, r := range rep.Results {
		fmt.Printf("%s: %s after %d attempt(s)\n", r.Channel, r.Receipt.ID, r.Attempts)
	}
	// Output:
	// Investigating: Elevated CDN error rates — We are investigating elevated error rates on the CDN. Next update by 14:30 UTC. https://status.example.com/incidents/42
	// ----------------------------------------
	// Resolved: Elevated CDN error rates — Error rates are back to normal. https://status.example.com/incidents/42
	//
	// x-preview: console-2 after 1 attempt(s)
}
