package statuspage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// The status page first: its incident URL goes into the update, so that
// every other channel links to the page, and the page is written before
// they post.
func Example() {
	dir, err := os.MkdirTemp("", "status")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	page, err := statuspage.New(statuspage.Config{
		Dir:        dir,
		BaseURL:    "https://status.example.com/",
		Components: []statuspage.ComponentInfo{{Name: "API"}, {Name: "CDN"}},
		Branding:   statuspage.Branding{Title: "Example Status"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := broadcast.New([]broadcast.Channel{page}, broadcast.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	u := broadcast.Update{
		Title:      "Elevated error rates on the API",
		Status:     broadcast.StatusInvestigating,
		Impact:     broadcast.ImpactMajor,
		Body:       "Some API requests fail with 503 errors. We are investigating.",
		Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentPartialOutage}},
		Time:       time.Date(2025, 11, 24, 14, 10, 0, 0, time.UTC),
	}
	u.URL = page.IncidentURL(u)
	report, err := b.Send(context.Background(), u)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("incident page:", report.Results[0].Receipt.URL)

	status, err := os.ReadFile(filepath.Join(page.Root(), "api", "v2", "status.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	var v struct {
		Status struct {
			Indicator   string `json:"indicator"`
			Description string `json:"description"`
		} `json:"status"`
	}
	if err := json.Unmarshal(status, &v); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("status.json: %s (%s)\n", v.Status.Indicator, v.Status.Description)
	// Output:
	// incident page: https://status.example.com/incidents/elevated-error-rates-on-the-api.html
	// status.json: major (Partial System Outage)
}

// A correction edits the update where it stands; a retraction removes it.
func ExampleChannel_Edit() {
	dir, err := os.MkdirTemp("", "status")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	page, err := statuspage.New(statuspage.Config{Dir: dir, BaseURL: "https://status.example.com/"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	u := broadcast.Update{ID: "cdn-1", IncidentID: "cdn", Title: "CDN errors", Status: broadcast.StatusInvestigating,
		Body: "Errors in all regions."}
	sent, err := page.Send(ctx, broadcast.NewMessage(u))
	if err != nil {
		fmt.Println(err)
		return
	}
	fix := u
	fix.ID, fix.Body, fix.Corrects = "cdn-1-fix", "Errors in the EU only.", "cdn-1"
	edited, err := page.Edit(ctx, broadcast.NewMessage(fix), sent)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("edited:", edited.ID, edited.URL)
	if err := page.Retract(ctx, edited); err != nil {
		fmt.Println(err)
		return
	}
	_, err = os.Stat(filepath.Join(page.Root(), "incidents", "cdn.html"))
	fmt.Println("page after the retraction:", err != nil)
	// Output:
	// edited: cdn-1 https://status.example.com/incidents/cdn.html
	// page after the retraction: true
}
