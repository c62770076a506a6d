package twitter_test

import (
	"fmt"
	"github.com/outagecast/outagecast/redact"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/twitter"
)

// A channel posting with OAuth 1.0a user-context credentials (from the X
// developer portal), and the post it would make for an update.
func Example() {
	ch, err := twitter.New(twitter.Config{
		ConsumerKey:    redact.NewSecret("app-api-key"),
		ConsumerSecret: redact.NewSecret("app-api-key-secret"),
		AccessToken:    redact.NewSecret("1234567890-account-access-token"),
		AccessSecret:   redact.NewSecret("account-access-token-secret"),
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
	// 162 of 280 weighted characters
	// twitter.Channel(x)
}

// A long body is shortened to fit 280 weighted characters; the status, the
// title and the URL stay whole.
func ExampleChannel_Preview() {
	ch, err := twitter.New(twitter.Config{
		ConsumerKey: redact.NewSecret("app-api-key"), ConsumerSecret: redact.NewSecret("app-api-key-secret"),
		AccessToken: redact.NewSecret("1234567890-account-access-token"), AccessSecret: redact.NewSecret("account-access-token-secret"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := ch.Preview(broadcast.Update{
		Title:  "東京リージョンの障害",
		Status: broadcast.StatusIdentified,
		Body:   strings.Repeat("The storage cluster in Tokyo lost a rack; we are moving traffic away. ", 10),
		URL:    "https://status.example.com/incidents/7k2qfx9",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Text)
	fmt.Println(p.Length, "of", p.Limit)
	// Output:
	// Identified: 東京リージョンの障害 — The storage cluster in Tokyo lost a rack; we are moving traffic away. The storage cluster in Tokyo lost a rack; we are moving traffic away. The storage cluster in Tokyo lost a rack; we are moving traffic away. The… https://status.example.com/incidents/7k2qfx9
	// 274 of 280
}

// Weight counts as X does: every URL 23, CJK characters and emoji 2.
func ExampleWeight() {
	fmt.Println(twitter.Weight("See https://status.example.com/incidents/7k2qfx9"))
	fmt.Println(twitter.Weight("東京で障害"))
	fmt.Println(twitter.Weight("👩🏽‍💻 🇯🇵"))
	// Output:
	// 27
	// 10
	// 5
}
