package googlechat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/googlechat"
	"github.com/outagecast/outagecast/redact"
)

// chatAPI stands for Google Chat: it prints the thread key and the first
// line of each message and answers as spaces.messages.create does for
// webhooks, with the message's name and its thread's.
func chatAPI() *httptest.Server {
	n := 0
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Text   string `json:"text"`
			Thread struct {
				ThreadKey string `json:"threadKey"`
			} `json:"thread"`
		}
		_ = json.NewDecoder(r.Body).Decode(&m)
		n++
		fmt.Printf("threadKey=%s %s: %s\n", m.Thread.ThreadKey, r.URL.Query().Get("messageReplyOption"),
			strings.SplitN(m.Text, "\n", 2)[0])
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"name": "spaces/AAAA/messages/m%d", "thread": {"name": "spaces/AAAA/threads/t1"}}`, n)
	}))
}

// Two updates of an incident: the first starts a thread, the second
// replies in it.
func Example() {
	srv := chatAPI()
	defer srv.Close()
	ch, err := googlechat.New(googlechat.Config{
		WebhookURL: redact.NewURL(srv.URL + "/v1/spaces/AAAA/messages?key=KEY&token=TOKEN"),
	})
	if err != nil {
		panic(err)
	}
	u := broadcast.Update{IncidentID: "cdn-2025-03-14", Title: "Elevated error rates on the CDN",
		Status: broadcast.StatusInvestigating, URL: "https://status.example.com/incidents/42"}
	for _, status := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusResolved} {
		u.Status = status
		r, err := ch.Send(context.Background(), broadcast.NewMessage(u))
		fmt.Println(r.ID, r.Meta["thread"], err)
	}
	fmt.Println(ch)
	// Output:
	// threadKey=cdn-2025-03-14 REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD: *Investigating: Elevated error rates on the CDN*
	// spaces/AAAA/messages/m1 spaces/AAAA/threads/t1 <nil>
	// threadKey=cdn-2025-03-14 REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD: *Resolved: Elevated error rates on the CDN*
	// spaces/AAAA/messages/m2 spaces/AAAA/threads/t1 <nil>
	// googlechat.Channel(googlechat)
}

// A channel URL is the webhook's URL with the scheme googlechat; the
// Config made of it prints without the key and token.
func ExampleParseURL() {
	cfg, err := googlechat.ParseURL("googlechat://chat.googleapis.com/v1/spaces/AAAA/messages?key=KEY&token=TOKEN&card=no")
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.WebhookURL, cfg.NoCard)
	// Output:
	// https://chat.googleapis.com/…?… true
}
