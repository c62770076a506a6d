package statuspageio_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspageio"
	"github.com/outagecast/outagecast/redact"
)

// statuspageAPI stands for Statuspage: it prints what each request asks
// for and answers with the shapes of the API reference.
func statuspageAPI() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Incident struct {
				Name       string            `json:"name"`
				Status     string            `json:"status"`
				Components map[string]string `json:"components"`
			} `json:"incident"`
		}
		_ = json.NewDecoder(r.Body).Decode(&b)
		path := strings.TrimPrefix(r.URL.Path, "/v1/pages/kctbh9vrtdwd")
		fmt.Println(r.Method, path, b.Incident.Status, b.Incident.Components)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case path == "/components":
			fmt.Fprint(w, `[{"id": "r8b1d8cdn001", "name": "CDN", "group": false}]`)
		case r.Method == http.MethodPost:
			fmt.Fprint(w, `{"id": "p31zjtct2jer", "shortlink": "https://stspg.io/p31zjtct2jer",
				"incident_updates": [{"id": "upd000000001", "status": "investigating"}]}`)
		default: // the update made now, the first an hour ago
			now := time.Now().UTC()
			fmt.Fprintf(w, `{"id": "p31zjtct2jer", "shortlink": "https://stspg.io/p31zjtct2jer",
				"incident_updates": [{"id": "upd000000002", "status": "resolved", "created_at": %q},
					{"id": "upd000000001", "status": "investigating", "created_at": %q}]}`,
				now.Format(time.RFC3339Nano), now.Add(-time.Hour).Format(time.RFC3339Nano))
		}
	}))
}

// An incident on Statuspage: the first update creates it, with the CDN's
// status; the next one resolves it.
func Example() {
	srv := statuspageAPI()
	defer srv.Close()
	ch, err := statuspageio.New(statuspageio.Config{APIKey: redact.NewSecret("sp-key"), PageID: "kctbh9vrtdwd",
		BaseURL: srv.URL + "/v1"})
	if err != nil {
		panic(err)
	}
	defer ch.Close()
	u := broadcast.Update{Title: "Elevated error rates on the CDN", Status: broadcast.StatusInvestigating,
		Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage}}}
	root, err := ch.Send(context.Background(), broadcast.NewMessage(u))
	if err != nil {
		panic(err)
	}
	fmt.Println(root.ID, root.URL, root.Meta[statuspageio.MetaUpdateID])

	u.Status = broadcast.StatusResolved
	u.Components[0].Status = broadcast.ComponentOperational
	m := broadcast.NewMessage(u)
	m.Thread = broadcast.Thread{Root: root, Last: root}
	r, err := ch.Send(context.Background(), m)
	fmt.Println(r.ID, r.Meta[statuspageio.MetaIncidentID], err)
	fmt.Println(ch)
	// Output:
	// GET /components  map[]
	// POST /incidents investigating map[r8b1d8cdn001:partial_outage]
	// p31zjtct2jer https://stspg.io/p31zjtct2jer upd000000001
	// PATCH /incidents/p31zjtct2jer resolved map[r8b1d8cdn001:operational]
	// upd000000002 p31zjtct2jer <nil>
	// statuspageio.Channel(statuspageio)
}

// A channel URL holds the API key and the page id; the Config made of it
// prints without the key.
func ExampleParseURL() {
	cfg, err := statuspageio.ParseURL("statuspageio://sp-key@kctbh9vrtdwd?notify=no&maintenance_window=2h")
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.APIKey, cfg.PageID, cfg.SkipNotifications, cfg.MaintenanceWindow)
	fmt.Println(cfg.URL())
	// Output:
	// REDACTED kctbh9vrtdwd true 2h0m0s
	// statuspageio://kctbh9vrtdwd?…
}
