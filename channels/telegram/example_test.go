package telegram_test

import (
	"fmt"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/telegram"
	"github.com/outagecast/outagecast/redact"
)

// A bot posting to a public channel and to a forum topic, and the message
// it would send: HTML with the user's text escaped and the first line bold.
func Example() {
	ch, err := telegram.New(telegram.Config{
		Token: redact.NewSecret("7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"),
		Chats: []string{"@examplestatus", "-1001234567890/42"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := ch.Preview(broadcast.Update{
		Title:  "Errors on <api> & CDN",
		Status: broadcast.StatusInvestigating,
		Body:   "Some requests fail with 503 errors.",
		URL:    "https://status.example.com/incidents/7k2qfx9",
		Time:   time.Date(2025, time.November, 24, 14, 5, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Text)
	fmt.Println(p.Length, "of", p.Limit, p.Unit)
	fmt.Println(ch, ch.Chats())
	// Output:
	// <b>Investigating: Errors on &lt;api&gt; &amp; CDN</b>
	//
	// Some requests fail with 503 errors.
	//
	// Details: https://status.example.com/incidents/7k2qfx9
	// Posted 24 Nov 2025 14:05 UTC.
	// 158 of 4096 characters as shown (after HTML parsing)
	// telegram.Channel(telegram) [@examplestatus -1001234567890/42]
}

// A channel written as a URL; the URL prints without its token.
func ExampleParseURL() {
	cfg, err := telegram.ParseURL("telegram://7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw@telegram?chats=@examplestatus,-1001234567890/42&preview=small")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Chats, cfg.LinkPreview.PreferSmallMedia, cfg.Token)
	fmt.Println(cfg.URL())
	// Output:
	// [@examplestatus -1001234567890/42] true REDACTED
	// telegram://telegram?…
}
