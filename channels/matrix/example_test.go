package matrix_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/outagecast/outagecast/redact"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/matrix"
)

// A channel posts to the rooms of its Config; Preview shows the text of
// a post and its size, without I/O.
func Example() {
	ch, err := matrix.New(matrix.Config{
		Name:        "ops-matrix",
		Homeserver:  "https://matrix.example.org",
		AccessToken: redact.NewSecret("syt_b3V0YWdlY2FzdA_kKfwAxTgMDhAuETlUxvx_3EGNqo"),
		Rooms:       []string{"!OFCPkmLYoBD6sFes:example.org", "#status:example.org"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := ch.Preview(broadcast.Update{
		Title:  "Elevated error rates on the CDN",
		Status: broadcast.StatusInvestigating,
		Body:   "Requests served from Europe fail intermittently.",
		URL:    "https://status.example.com/incidents/42",
	})
	fmt.Println(p.Text)
	fmt.Println(p.Length, "of", p.Limit, p.Unit, err)
	fmt.Println(ch)
	// Output:
	// Investigating: Elevated error rates on the CDN
	//
	// Requests served from Europe fail intermittently.
	//
	// Details: https://status.example.com/incidents/42
	// 486 of 61440 bytes of event content JSON <nil>
	// matrix.Channel(ops-matrix)
}

// A channel URL holds the whole Config but templates and HTTP client; it
// prints without the access token.
func ExampleParseURL() {
	cfg, err := matrix.ParseURL("matrix://:syt_abc123@matrix.example.org/?rooms=!abc:example.org,%23ops:example.org&notice=yes")
	fmt.Println(err)
	fmt.Println(cfg.Homeserver, cfg.Rooms, cfg.Notice)
	fmt.Printf("%v %v\n", cfg.AccessToken, cfg.URL())
	// Output:
	// <nil>
	// https://matrix.example.org [!abc:example.org #ops:example.org] true
	// REDACTED matrix://matrix.example.org?…
}

// Send puts one event per room, under a transaction ID that is the same
// on every attempt, after a look at the room's m.room.tombstone (an
// upgraded room is left for the room that replaced it): here against a
// stand-in for a homeserver.
func ExampleChannel_Send() {
	homeserver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c struct {
			MsgType string `json:"msgtype"`
			Body    string `json:"body"`
		}
		_ = json.NewDecoder(r.Body).Decode(&c)
		fmt.Println(strings.TrimSpace(r.Method + " " + r.URL.Path[:strings.LastIndex(r.URL.Path, "/")] + " " + c.MsgType))
		_, _ = fmt.Fprint(w, `{"event_id":"$YUwRidLecu"}`)
	}))
	defer homeserver.Close()
	ch, _ := matrix.New(matrix.Config{Homeserver: homeserver.URL, AccessToken: redact.NewSecret("syt_abc123"),
		Rooms: []string{"!OFCPkmLYoBD6sFes:example.org"}})
	defer ch.Close()

	m := broadcast.NewMessage(broadcast.Update{
		Title: "Elevated error rates on the CDN", Status: broadcast.StatusInvestigating,
		Time: time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC),
	})
	r, err := ch.Send(context.Background(), m)
	fmt.Println(r.ID, r.URL, err)
	// Output:
	// GET /_matrix/client/v3/rooms/!OFCPkmLYoBD6sFes:example.org/state/m.room.tombstone
	// PUT /_matrix/client/v3/rooms/!OFCPkmLYoBD6sFes:example.org/send/m.room.message m.text
	// $YUwRidLecu https://matrix.to/#/%21OFCPkmLYoBD6sFes:example.org/$YUwRidLecu?via=example.org <nil>
}
