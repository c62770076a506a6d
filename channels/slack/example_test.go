package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/slack"
	"github.com/outagecast/outagecast/redact"
)

// slackAPI stands for slack.com/api: it prints each call and answers as
// Slack does.
func slackAPI() *httptest.Server {
	n := 0
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Channel  string `json:"channel"`
			ThreadTS string `json:"thread_ts"`
			TS       string `json:"ts"`
			Blocks   []struct {
				Text struct{ Text string } `json:"text"`
			} `json:"blocks"`
			Attachments []struct{ Fallback string } `json:"attachments"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		method := strings.TrimPrefix(r.URL.Path, "/api/")
		switch {
		case method == "chat.postMessage":
			n++
			first, _, _ := strings.Cut(req.Blocks[0].Text.Text, "\n")
			fmt.Printf("%s to %s (thread %q): %s\n", method, req.Channel, req.ThreadTS, first)
			fmt.Fprintf(w, `{"ok":true,"channel":"C0OPS00001","ts":"1741944413.%06d"}`, n*100)
		case len(req.Attachments) > 0:
			fmt.Printf("%s of %s: %s\n", method, req.TS, req.Attachments[0].Fallback)
			fmt.Fprintf(w, `{"ok":true,"channel":"C0OPS00001","ts":%q}`, req.TS)
		default:
			_, _ = io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
		}
	}))
}

// An incident's updates thread under its first message; after each reply
// the first message's status bar shows the latest status. A Broadcaster
// keeps the Thread; here it is kept by hand.
func Example() {
	api := slackAPI()
	defer api.Close()
	ch, err := slack.New(slack.Config{
		Token:    redact.NewSecret("xoxb-2741914230-5519036117-kR7vQ2mZpL9sX4cW1nB8tYe3"),
		Channels: []string{"#ops"},
		BaseURL:  api.URL + "/api/", // leave empty for slack.com
	})
	if err != nil {
		panic(err)
	}
	defer ch.Close()

	var thread broadcast.Thread
	for _, status := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved} {
		m := broadcast.NewMessage(broadcast.Update{Title: "Elevated error rates on the CDN", Status: status})
		m.Thread = thread
		r, err := ch.Send(context.Background(), m)
		if err != nil {
			panic(err)
		}
		if thread.Root.IsZero() {
			thread.Root = r
		}
		thread.Last = r
	}
	fmt.Println(thread.Root.ID, thread.Root.Meta[slack.MetaChannel+"#ops"])
	// Output:
	// chat.postMessage to #ops (thread ""): *Investigating: Elevated error rates on the CDN*
	// chat.postMessage to C0OPS00001 (thread "1741944413.000100"): *Resolved: Elevated error rates on the CDN*
	// chat.update of 1741944413.000100: Current status: Resolved
	// 1741944413.000100 C0OPS00001
}

// An incoming webhook only posts. The user's text is escaped, so it
// cannot ping the conversation.
func Example_webhook() {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Text string `json:"text"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		fmt.Println(req.Text)
		_, _ = io.WriteString(w, "ok")
	}))
	defer hook.Close()
	ch, err := slack.New(slack.Config{WebhookURL: redact.NewURL(hook.URL + "/services/T0TEST0001/B0HOOK0001/secret")})
	if err != nil {
		panic(err)
	}
	defer ch.Close()
	_, err = ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{
		Title: "<!channel> Errors & timeouts", Status: broadcast.StatusInvestigating}))
	fmt.Println(err)
	// Output:
	// Investigating: &lt;!channel&gt; Errors &amp; timeouts
	// <nil>
}

// A channel URL holds the whole configuration; it prints without its
// token.
func ExampleParseURL() {
	cfg, err := slack.ParseURL("slack://xoxb:2741914230-5519036117-kR7vQ2mZpL9sX4cW1nB8tYe3@slack.com/%23ops/C0STATUS02?name=ops-slack")
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Name, cfg.Channels, cfg.Token)
	fmt.Println(cfg.URL())
	// Output:
	// ops-slack [#ops C0STATUS02] REDACTED
	// slack://slack.com/…?…
}
