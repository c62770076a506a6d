package webhook

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// EventType is the "type" of every payload. Maintenance updates use it too:
// Data.Status tells them apart.
const EventType = "incident.updated"

//go:embed schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of the payload, a copy of
// the package's schema.json.
func Schema() []byte { return append([]byte(nil), schema...) }

// Payload is the JSON body of every delivery, in the Standard Webhooks
// shape. Receivers can decode a verified body into it.
type Payload struct {
	Type      string    `json:"type"`      // EventType
	Timestamp time.Time `json:"timestamp"` // when the update was written: Update.Time
	Data      Data      `json:"data"`
}

// Data carries every field of the Update. Optional fields are left out when
// empty; Components is always an array. When Update.Overrides has an entry
// for the channel's name, that text is sent as Body, as other channels send
// it instead of their rendered text; Overrides is sent as given.
type Data struct {
	ID         string            `json:"id"`
	IncidentID string            `json:"incident_id"`
	Title      string            `json:"title"`
	Status     string            `json:"status"`
	Impact     string            `json:"impact,omitempty"`
	Body       string            `json:"body,omitempty"`
	Components []Component       `json:"components"`
	URL        string            `json:"url,omitempty"`
	Time       time.Time         `json:"time"`
	NextUpdate time.Time         `json:"next_update,omitzero"`
	Overrides  map[string]string `json:"overrides,omitempty"`
}

// Component is one affected component.
type Component struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// newPayload returns the payload the channel named channel sends for u,
// whose defaults are filled in. Times are in UTC.
func newPayload(channel string, u broadcast.Update) Payload {
	comps := make([]Component, len(u.Components))
	for i, c := range u.Components {
		comps[i] = Component{Name: c.Name, Status: string(c.Status)}
	}
	body := u.Body
	if text, ok := u.Overrides[channel]; ok {
		body = text
	}
	return Payload{
		Type:      EventType,
		Timestamp: u.Time.UTC(),
		Data: Data{
			ID: u.ID, IncidentID: u.IncidentID, Title: u.Title,
			Status: string(u.Status), Impact: string(u.Impact), Body: body,
			Components: comps, URL: u.URL, Time: u.Time.UTC(),
			NextUpdate: u.NextUpdate.UTC(), Overrides: u.Overrides,
		},
	}
}

// encode returns the body the channel named channel sends for u. The same
// update always gives the same bytes, so a retry sends what the first
// attempt sent. HTML characters are not escaped: this is not HTML.
func encode(channel string, u broadcast.Update) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(newPayload(channel, u)); err != nil {
		return nil, fmt.Errorf("webhook: encode payload: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
