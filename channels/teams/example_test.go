package teams_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/teams"
	"github.com/outagecast/outagecast/redact"
)

// A workflow's webhook takes the card and answers 202 Accepted; here a
// test server stands for it and prints the card's heading.
func Example() {
	flow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var msg struct {
			Attachments []struct {
				ContentType string `json:"contentType"`
				Content     struct {
					Body []struct {
						Style string `json:"style"`
						Items []struct {
							Inlines []struct{ Text string } `json:"inlines"`
						} `json:"items"`
					} `json:"body"`
				} `json:"content"`
			} `json:"attachments"`
		}
		_ = json.NewDecoder(r.Body).Decode(&msg)
		card := msg.Attachments[0]
		fmt.Println(card.ContentType)
		fmt.Println(card.Content.Body[0].Style, card.Content.Body[0].Items[0].Inlines[0].Text)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer flow.Close()

	ch, err := teams.New(teams.Config{
		WebhookURL: redact.NewURL(flow.URL + "/workflows/4c8e1a7f/triggers/manual/paths/invoke?api-version=2016-06-01&sig=secret"),
	})
	if err != nil {
		panic(err)
	}
	defer ch.Close()
	_, err = ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{
		Title: "Elevated error rates on the CDN", Status: broadcast.StatusInvestigating}))
	fmt.Println(err)
	// Output:
	// application/vnd.microsoft.card.adaptive
	// attention Investigating: Elevated error rates on the CDN
	// <nil>
}

// A channel URL is the workflow's URL with the scheme teams; it prints
// without its path and query, which hold the signature.
func ExampleParseURL() {
	cfg, err := teams.ParseURL("teams://prod-42.westeurope.logic.azure.com:443/workflows/4c8e1a7f/triggers/manual/paths/invoke" +
		"?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=secret#name=ops-teams")
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Name, cfg.WebhookURL)
	fmt.Printf("%v\n", cfg)
	// Output:
	// ops-teams https://prod-42.westeurope.logic.azure.com:443/…?…
	// {ops-teams https://prod-42.westeurope.logic.azure.com:443/…?… <nil> <nil>}
}
