package discord_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/discord"
	"github.com/outagecast/outagecast/redact"
)

// discordAPI stands for Discord: it prints what each request asks for and
// answers as Execute Webhook does with wait=true, Get Webhook Message
// with the message, and Get Webhook with Token with the webhook.
func discordAPI() *httptest.Server {
	var next atomic.Int64
	next.Store(1300000000000000000)
	answer := func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			Content    string `json:"content"`
			ThreadName string `json:"thread_name"`
			Embeds     []struct {
				Fields []struct{ Name, Value string }
			}
		}
		_ = json.NewDecoder(r.Body).Decode(&m)
		fmt.Printf("%s thread_id=%q thread_name=%q", r.Method, r.URL.Query().Get("thread_id"), m.ThreadName)
		if m.Content != "" {
			fmt.Printf(" content=%q", strings.SplitN(m.Content, "\n", 2)[0])
		}
		if len(m.Embeds) > 0 {
			fmt.Printf(" status=%s", m.Embeds[0].Fields[0].Value)
		}
		fmt.Println()
		id := r.PathValue("mid")
		if id == "" {
			id = fmt.Sprint(next.Add(1))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id": %q, "channel_id": %q}`, id, id)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v10/webhooks/{id}/{token}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("GET webhook")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id": %q, "type": 1, "guild_id": "1000000000000000001"}`, r.PathValue("id"))
	})
	mux.HandleFunc("/api/v10/webhooks/{id}/{token}/messages/{mid}", answer)
	mux.HandleFunc("/", answer)
	return httptest.NewServer(mux)
}

// An incident in a forum channel: the first update starts a post (and
// the Channel asks once for the webhook's guild, which its Receipts' links
// name), the next goes into its thread and brings the first post's status
// card up to date, read first: a retraction of the next sets it back.
func Example() {
	srv := discordAPI()
	defer srv.Close()
	ch, err := discord.New(discord.Config{
		WebhookURL: redact.NewURL(srv.URL + "/api/webhooks/1234567890/TOKEN"),
		Forum:      true,
	})
	if err != nil {
		panic(err)
	}
	u := broadcast.Update{IncidentID: "cdn", Title: "Elevated error rates on the CDN", Status: broadcast.StatusInvestigating,
		Impact: broadcast.ImpactMajor, URL: "https://status.example.com/incidents/42"}
	root, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	if err != nil {
		panic(err)
	}

	u.Status = broadcast.StatusResolved
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: root, Last: root}
	r, err := ch.Send(context.Background(), m)
	fmt.Println(r.Meta["thread_id"] == root.ID, err)
	fmt.Println(r.URL)
	fmt.Println(ch)
	// Output:
	// POST thread_id="" thread_name="Elevated error rates on the CDN" content="**Investigating: Elevated error rates on the CDN**" status=Investigating
	// GET webhook
	// POST thread_id="1300000000000000001" thread_name="" content="**Resolved: Elevated error rates on the CDN**" status=Resolved
	// GET thread_id="1300000000000000001" thread_name=""
	// PATCH thread_id="1300000000000000001" thread_name="" status=Resolved
	// true <nil>
	// https://discord.com/channels/1000000000000000001/1300000000000000002/1300000000000000002
	// discord.Channel(discord)
}

// A channel URL holds the webhook's token and id; the Config made of it
// prints without the token.
func ExampleParseURL() {
	cfg, err := discord.ParseURL("discord://TOKEN-x_1@1234567890?forum=yes&username=Status")
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.WebhookURL, cfg.Forum, cfg.Username)
	fmt.Println(cfg.URL())
	// Output:
	// https://discord.com/… true Status
	// discord://1234567890?…
}
