package main

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// problem is an error answer in the form of RFC 9457 (Problem Details for
// HTTP APIs), with the path of the value at fault in the request body when
// there is one.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Field  string `json:"field,omitempty"`
	// Errors are every value at fault, Field's first, when there is one.
	Errors []fieldProblem `json:"errors,omitempty"`
}

// fieldProblem is one value at fault in a request body.
type fieldProblem struct {
	Field  string `json:"field,omitempty"`
	Detail string `json:"detail"`
}

// writeProblem answers status with a problem document.
func writeProblem(w http.ResponseWriter, status int, field, detail string) {
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Field: field}
	write(w, status, "application/problem+json", p)
}

// writeInputProblem answers status with a problem document naming every
// value at fault in bad: detail says them all, field is the first, and
// errors lists them.
func writeInputProblem(w http.ResponseWriter, status int, bad *inputError) {
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: bad.Error(), Field: bad.field}
	if bad.field != "" || len(bad.more) > 0 {
		for _, e := range bad.all() {
			p.Errors = append(p.Errors, fieldProblem{Field: e.field, Detail: e.one()})
		}
	}
	write(w, status, "application/problem+json", p)
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	write(w, status, "application/json", v)
}

func write(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil { // the API's own types always marshal
		http.Error(w, "encoding the answer failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store") // an update's state changes by the second
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// links are the API's URLs of an update, relative to the server.
type links struct {
	Self    string `json:"self"`
	Correct string `json:"correct"`
	Retract string `json:"retract"`
}

// updatePath is the path of update id: an ID may hold any character but
// a control character, so it is escaped.
func updatePath(id string) string {
	return "/v1/updates/" + url.PathEscape(id)
}

func linksOf(id string) links {
	p := updatePath(id)
	return links{Self: p, Correct: p + "/correct", Retract: p + "/retract"}
}

// accepted is the answer to a POST that queued an update, a correction or
// a retraction.
type accepted struct {
	ID         string `json:"id"`
	IncidentID string `json:"incident_id,omitempty"`
	// Corrects is, for a correction, the ID of the update it corrects.
	Corrects string `json:"corrects,omitempty"`
	Links    links  `json:"links"`
}

// writeAccepted answers 202 with the update's URL in Location.
func writeAccepted(w http.ResponseWriter, a accepted) {
	a.Links = linksOf(a.ID)
	w.Header().Set("Location", a.Links.Self)
	writeJSON(w, http.StatusAccepted, a)
}
