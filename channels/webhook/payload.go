package webhook

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/textsafe"
)

// Event types: the "type" of a payload. Maintenance updates use the same
// types; Data.Status tells them apart.
const (
	// EventUpdated is an incident update.
	EventUpdated = "incident.updated"
	// EventCorrected is an update that corrects an earlier one (sent by
	// Broadcaster.Correct): Data.Corrects is the ID of the update it
	// corrects, which receivers replace or mark as corrected.
	EventCorrected = "incident.corrected"
	// EventRetracted withdraws an earlier update (sent by
	// Broadcaster.Retract): Data carries only the ID and IncidentID of the
	// update, which receivers delete or hide.
	EventRetracted = "incident.retracted"
)

//go:embed schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of the payload, a copy of
// the package's schema.json.
func Schema() []byte { return append([]byte(nil), schema...) }

// Payload is the JSON body of every delivery, in the Standard Webhooks
// shape. Receivers can decode a verified body into it and switch on Type.
type Payload struct {
	Type string `json:"type"` // EventUpdated, EventCorrected or EventRetracted
	// Timestamp is when the update was written (Update.Time) or, for
	// EventRetracted, when the retraction was sent.
	Timestamp time.Time `json:"timestamp"`
	Data      Data      `json:"data"`
}

// Data carries every field of the Update. Optional fields are left out when
// empty; Components is always an array. When Update.Overrides has an entry
// for the channel's name, that text is sent as Body, as other channels send
// it instead of their rendered text; Overrides is sent as given. In an
// EventRetracted payload only ID and IncidentID are set.
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
	Advice     string            `json:"advice,omitempty"`
	Corrects   string            `json:"corrects,omitempty"`
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
	if text, ok := u.Override(channel); ok {
		body = text
	}
	typ := EventUpdated
	if u.Corrects != "" {
		typ = EventCorrected
	}
	return Payload{
		Type:      typ,
		Timestamp: u.Time.UTC(),
		Data: Data{
			ID: u.ID, IncidentID: u.IncidentID, Title: u.Title,
			Status: string(u.Status), Impact: string(u.Impact), Body: body,
			Components: comps, URL: u.URL, Time: u.Time.UTC(),
			NextUpdate: u.NextUpdate.UTC(), Overrides: u.Overrides,
			Advice: u.Advice, Corrects: u.Corrects,
		},
	}
}

// retraction is the payload of EventRetracted: Data's two keys only.
type retraction struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      struct {
		ID         string `json:"id"`
		IncidentID string `json:"incident_id,omitempty"`
	} `json:"data"`
}

// encode returns the body the channel named channel sends for u. The same
// update always gives the same bytes, so a retry sends what the first
// attempt sent.
func encode(channel string, u broadcast.Update) ([]byte, error) {
	if err := textsafe.CheckURL(u.URL, "the payload carries it to every endpoint"); err != nil {
		return nil, fmt.Errorf("webhook: encode payload: %w", err)
	}
	return marshal(newPayload(channel, u))
}

// encodeRetraction returns the body of the retraction of update updateID
// of incident incidentID, sent at t.
func encodeRetraction(updateID, incidentID string, t time.Time) ([]byte, error) {
	r := retraction{Type: EventRetracted, Timestamp: t.UTC()}
	r.Data.ID, r.Data.IncidentID = updateID, incidentID
	return marshal(r)
}

// marshal encodes v without escaping HTML characters: this is not HTML.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("webhook: encode payload: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
