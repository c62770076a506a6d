package bluesky_test

import (
	"fmt"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/bluesky"
	"github.com/outagecast/outagecast/redact"
)

// A channel posting with an app password, and the post it would make for
// an update: 300 graphemes at most, the URL whole.
func Example() {
	ch, err := bluesky.New(bluesky.Config{
		Identifier:  "status.example.com",
		AppPassword: redact.NewSecret("abcd-efgh-ijkl-mnop"),
		Languages:   []string{"en"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := ch.Preview(broadcast.Update{
		Title:      "Elevated error rates on the CDN",
		Status:     broadcast.StatusInvestigating,
		Body:       "Some requests to our CDN in the EU region fail with 503 errors.",
		URL:        "https://status.example.com/incidents/7k2qfx9",
		Time:       time.Date(2025, time.November, 24, 14, 5, 0, 0, time.UTC),
		NextUpdate: time.Date(2025, time.November, 24, 14, 35, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Text)
	fmt.Println(p.Length, "of", p.Limit, p.Unit)
	fmt.Println(ch)
	// Output:
	// Investigating: Elevated error rates on the CDN — Some requests to our CDN in the EU region fail with 503 errors. Next update by 14:35 UTC. https://status.example.com/incidents/7k2qfx9
	// 183 of 300 graphemes
	// bluesky.Channel(bluesky)
}

// A channel written as a URL; the URL prints without its app password.
func ExampleParseURL() {
	cfg, err := bluesky.ParseURL("bluesky://status.example.com:abcd-efgh-ijkl-mnop@bsky.social?lang=en")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Service, cfg.Identifier, cfg.Languages, cfg.AppPassword)
	fmt.Println(cfg.URL())
	// Output:
	// https://bsky.social status.example.com [en] REDACTED
	// bluesky://bsky.social?…
}
