package console_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
)

// A Broadcaster with the console channel prints the update: a dry run of
// an announcement.
func Example() {
	ch, err := console.New(console.Config{Writer: os.Stdout})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := broadcast.New([]broadcast.Channel{ch}, broadcast.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	_, err = b.Send(context.Background(), broadcast.Update{
		Title:      "Elevated CDN error rates",
		Status:     broadcast.StatusIdentified,
		Impact:     broadcast.ImpactMajor,
		Body:       "A faulty configuration change to the European edge caches is being rolled back.",
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage}},
		URL:        "https://status.example.com/incidents/42",
		Time:       time.Date(2025, 11, 24, 14, 10, 0, 0, time.UTC),
		NextUpdate: time.Date(2025, 11, 24, 15, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// Identified: Elevated CDN error rates
	// Impact: Major
	//
	// A faulty configuration change to the European edge caches is being rolled back.
	//
	// Affected components:
	// - CDN: Partial outage
	//
	// Next update by 15:00 UTC.
	//
	// Details: https://status.example.com/incidents/42
	// Posted 24 Nov 2025 14:10 UTC.
}

// The short template, as X or IRC would show the update, with a separator
// line between two messages.
func Example_short() {
	ch, err := console.New(console.Config{Template: "short"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, status := range []broadcast.Status{broadcast.StatusMonitoring, broadcast.StatusResolved} {
		u := broadcast.Update{
			Title:  "Elevated CDN error rates",
			Status: status,
			URL:    "https://status.example.com/incidents/42",
		}
		if _, err := ch.Send(context.Background(), broadcast.NewMessage(u)); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// Monitoring: Elevated CDN error rates https://status.example.com/incidents/42
	// ----------------------------------------
	// Resolved: Elevated CDN error rates https://status.example.com/incidents/42
}
