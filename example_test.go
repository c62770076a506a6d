package outagecast_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/console"
	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/redact"
)

// One update, several channels: a console channel stands in for X (the
// short template) and a webhook channel posts to a receiver of your
// subscribers' (here an httptest server). Both get each update at once, each
// with its own retries; the resolved update threads under the first;
// sending it again delivers nothing twice. Broadcaster.Correct and
// Broadcaster.Retract fix or withdraw a wrong update the same way, and
// broadcast/boltstore keeps all this across restarts.
func Example() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" // from the environment in real use
	// The receiver's side: check the signature before trusting the body
	// (a real receiver also drops repeats by webhook-id, as
	// examples/webhook-receiver does).
	verifier, err := webhook.NewVerifier(redact.NewSecret(secret))
	if err != nil {
		fmt.Println(err)
		return
	}
	var mu sync.Mutex
	var received []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := verifier.VerifyRequest(r, 1<<20)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p webhook.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		mu.Lock()
		received = append(received, fmt.Sprintf("%s: %s (%s)", p.Type, p.Data.Title, p.Data.Status))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	var screen strings.Builder
	x, err := console.New(console.Config{Name: "x-preview", Template: "short", Writer: &screen})
	if err != nil {
		fmt.Println(err)
		return
	}
	hook, err := webhook.New(webhook.Config{
		Name:   "subscribers",
		URL:    redact.NewURL(receiver.URL + "/outagecast"),
		Secret: redact.NewSecret(secret),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := broadcast.New([]broadcast.Channel{x, hook}, broadcast.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	ctx := context.Background()
	send := func(u broadcast.Update) {
		rep, err := b.Send(ctx, u)
		if err != nil {
			fmt.Println(err) // one *broadcast.DeliveryError per channel that failed
			return
		}
		for _, r := range rep.Results { // in the order of the channels
			fmt.Printf("%s: attempts %d, skipped %t\n", r.Channel, r.Attempts, r.Skipped)
		}
	}
	update := broadcast.Update{
		IncidentID: "cdn-2026-11-24",
		Title:      "Elevated CDN error rates",
		Status:     broadcast.StatusInvestigating,
		Body:       "We are investigating elevated error rates on the CDN.",
		URL:        "https://status.example.com/incidents/42",
		Time:       time.Date(2026, 11, 24, 14, 2, 0, 0, time.UTC),
		NextUpdate: time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC),
	}
	send(update)
	update.Status, update.Body, update.NextUpdate = broadcast.StatusResolved, "Error rates are back to normal.", time.Time{}
	update.Time = update.Time.Add(time.Hour)
	send(update)
	send(update) // the same update again: nothing is posted twice

	fmt.Print(screen.String())
	fmt.Println(strings.Join(received, "\n"))
	// Output:
	// x-preview: attempts 1, skipped false
	// subscribers: attempts 1, skipped false
	// x-preview: attempts 1, skipped false
	// subscribers: attempts 1, skipped false
	// x-preview: attempts 0, skipped true
	// subscribers: attempts 0, skipped true
	// Investigating: Elevated CDN error rates — We are investigating elevated error rates on the CDN. Next update by 14:30 UTC. https://status.example.com/incidents/42
	// ----------------------------------------
	// Resolved: Elevated CDN error rates — Error rates are back to normal. https://status.example.com/incidents/42
	// incident.updated: Elevated CDN error rates (investigating)
	// incident.updated: Elevated CDN error rates (resolved)
}
