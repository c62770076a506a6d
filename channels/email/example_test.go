package email_test

import (
	"fmt"
	"github.com/outagecast/outagecast/redact"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
)

// A channel to three subscribers over STARTTLS (the default) with PLAIN
// authentication, previewed without sending anything. Each subscriber gets
// a message of their own, with a one-click unsubscribe link.
func Example() {
	ch, err := email.New(email.Config{
		Host:     "smtp.example.com", // port 587, STARTTLS required
		Username: "status-mailer",
		Password: redact.NewSecret("app-password"),
		From:     "Example Status <status@example.com>",
		To:       []string{"alice@example.net", "Bob <bob@example.org>", "ops@example.com"},

		ListUnsubscribe:         "https://status.example.com/unsubscribe?email={{.Recipient}}",
		ListUnsubscribeOneClick: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ch.Close() // the connections kept for the next Send
	fmt.Println(ch, ch.Recipients())

	p, err := ch.Preview(broadcast.Update{
		Title:  "Elevated error rates on the CDN",
		Status: broadcast.StatusInvestigating,
		Body:   "We are investigating elevated error rates in Europe.",
		URL:    "https://status.example.com/incidents/42",
		Time:   time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Subject:", p.Subject)
	fmt.Println(p.Text)
	// Output:
	// email.Channel(email) [alice@example.net bob@example.org ops@example.com]
	// Subject: Incident: Elevated error rates on the CDN
	// Investigating: Elevated error rates on the CDN
	//
	// We are investigating elevated error rates in Europe.
	//
	// Details: https://status.example.com/incidents/42
	// Posted 14 Mar 2025 09:26 UTC.
}

// Configuration errors name the field.
func ExampleNew_errors() {
	_, err := email.New(email.Config{
		Host: "smtp.example.com",
		From: "status@example.com",
		To:   []string{"alice@example.net", "bob@example.org", "carol@example.com", "not an address"},
	})
	fmt.Println(err)
	_, err = email.New(email.Config{
		Host:     "mail.example.com",
		TLS:      email.TLSPlaintext,
		Username: "u", Password: redact.NewSecret("p"),
		From: "status@example.com", To: []string{"alice@example.net"},
	})
	fmt.Println(err)
	// Output:
	// email: Config.To[3]: invalid address "not an address": mail: no angle-addr (want an address, as "status@example.com")
	// email: Config.TLS: TLSPlaintext would send credentials in the clear to "mail.example.com"; use TLSStartTLS or TLSImplicit (plaintext AUTH is allowed to a loopback host only)
}

// A Config can be printed, logged or encoded as it is: its password shows
// as REDACTED.
func ExampleConfig() {
	cfg := email.Config{
		Host:     "smtp.example.com",
		Username: "status-mailer",
		Password: redact.NewSecret("app-password"),
		From:     "status@example.com",
		To:       []string{"alice@example.net"},
	}
	fmt.Printf("%+v\n", cfg)
	// Output:
	// {Name: Host:smtp.example.com Port:0 TLS:starttls TLSConfig:<nil> Auth: Username:status-mailer Password:REDACTED TokenSource:<nil> From:status@example.com To:[alice@example.net] Concurrency:0 Templates:<nil> ListUnsubscribe: ListUnsubscribeFunc:<nil> ListUnsubscribeOneClick:false HelloName: Timeout:0s IdleTimeout:0s RetryDeferred:0s}
}
