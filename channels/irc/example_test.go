package irc_test

import (
	"fmt"
	"github.com/outagecast/outagecast/redact"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
)

// New validates the configuration without connecting; Preview shows the
// lines each IRC channel would get.
func Example() {
	ch, err := irc.New(irc.Config{
		Server:   "irc.example.net:6697",
		Nick:     "statusbot",
		Channels: []string{"#ops", "#customers sesame"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := ch.Preview(broadcast.Update{
		Title:  "Elevated CDN errors",
		Status: broadcast.StatusIdentified,
		Body:   "A faulty config push to the edge caches. Rolling back.",
		URL:    "https://status.example.com/incidents/42",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Text)
	fmt.Println(p.Length, p.Limit, p.Unit)
	// Output:
	// Identified: Elevated CDN errors — A faulty config push to the edge caches. Rolling back. https://status.example.com/incidents/42
	// 130 368 bytes per line
}

// Long text is split into lines that fit, at spaces where possible, and
// control characters never reach the wire.
func ExampleSplit() {
	text := "Rollback in progress.\r\nQUIT :this stays text\x00\x02 " + strings.Repeat("word ", 12)
	for _, line := range irc.Split(text, 40) {
		fmt.Printf("%q\n", line)
	}
	// Output:
	// "Rollback in progress."
	// "QUIT :this stays text word word word"
	// "word word word word word word word word"
	// "word"
}

// A Config prints without its secrets: the passwords are redact.Secret
// values and the channel keys are hidden by ChannelList, so a program can
// log the configuration it runs with.
func ExampleConfig() {
	cfg := irc.Config{
		Server: "irc.example.net:6697", Nick: "statusbot",
		SASLUser: "statusbot", SASLPassword: redact.NewSecret("hunter2"),
		Channels: []string{"#ops", "#customers sesame"},
	}
	fmt.Println(cfg.Channels)
	fmt.Printf("%v %v\n", cfg.SASLUser, cfg.SASLPassword)
	// Output:
	// [#ops #customers REDACTED]
	// statusbot REDACTED
}
