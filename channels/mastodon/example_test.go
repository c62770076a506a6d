package mastodon_test

import (
	"fmt"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/mastodon"
	"github.com/outagecast/outagecast/redact"
)

// A channel posting unlisted statuses in English, and the status it would
// post for an update. The mention in the title is broken by an invisible
// word joiner, so it notifies no one.
func Example() {
	ch, err := mastodon.New(mastodon.Config{
		Server:     "https://mastodon.social",
		Token:      redact.NewSecret("account-access-token"),
		Visibility: mastodon.Unlisted,
		Language:   "en",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := ch.Preview(broadcast.Update{
		Title:      "Elevated error rates on the CDN (cc @oncall)",
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
	fmt.Printf("%q\n", p.Text)
	fmt.Println(p.Length, "of", p.Limit, p.Unit)
	fmt.Println(ch)
	// Output:
	// "Investigating: Elevated error rates on the CDN (cc @\u2060oncall) — Some requests to our CDN in the EU region fail with 503 errors. Next update by 14:35 UTC. https://status.example.com/incidents/7k2qfx9"
	// 176 of 500 characters (a URL counts 23)
	// mastodon.Channel(mastodon)
}

// A channel written as a URL; the URL prints without its token.
func ExampleParseURL() {
	cfg, err := mastodon.ParseURL("mastodon://account-access-token@mastodon.social?visibility=unlisted&language=en")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Server, cfg.Visibility, cfg.Language, cfg.Token)
	fmt.Println(cfg.URL())
	// Output:
	// https://mastodon.social unlisted en REDACTED
	// mastodon://mastodon.social?…
}

// Measure counts as Mastodon does: grapheme clusters, and 23 for a URL
// however long.
func ExampleMeasure() {
	count := mastodon.Measure(23)
	fmt.Println(count("Details: https://status.example.com/incidents/7k2qfx9/updates/3"))
	fmt.Println(count("東京 🇯🇵 👩🏽‍💻"))
	// Output:
	// 32
	// 6
}
