package main

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A value of the wrong JSON type in a component is named with the
// component's index, as a missing name or an unknown status is
// ("data.components[1].status"): encoding/json's own path,
// "data.components.status", says not which of the components it is, and
// of an element that is no object it names the list, which is one.
func TestWrongTypeInAComponentNamesIt(t *testing.T) {
	srv, out, log := newLoggingReceiver(t)

	const head = `{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1","incident_id":"cdn-42",` +
		`"title":"T","status":"resolved","time":"2026-11-24T14:02:00Z","components":`
	const ok = `{"name":"CDN","status":"operational"}`
	for i, tt := range []struct{ components, want string }{
		{`[` + ok + `,{"name":"API","status":7}]`, "data.components[1].status: want a string, got a number"},
		{`[{"name":5,"status":"operational"}]`, "data.components[0].name: want a string, got a number"},
		{`[` + ok + `,` + ok + `,"API"]`, "data.components[2]: want an object, got a string"},
		{`[null,[]]`, "data.components[1]: want an object, got a list"},
		// The list itself is still named as the list.
		{`{"name":"CDN"}`, "data.components: want a list, got an object"},
		{`"CDN"`, "data.components: want a list, got a string"},
	} {
		body := head + tt.components + `}}`
		code, text := signedPost(t, srv, "id-"+strconv.Itoa(i), []byte(body))
		assert.Equal(t, http.StatusBadRequest, code, body)
		assert.Equal(t, "malformed payload: "+tt.want+"\n", text, body)
		assert.Contains(t, log.String(), "400 Bad Request: malformed payload: "+tt.want+"\n", body)
	}
	assert.Empty(t, out.String())
}

// Of a payload whose data holds "components" twice, encoding/json reports
// the first wrong value, of the first list, but decodes the last: the
// component named was the last list's, with a field and index of another
// value ("data.components[0].name" for a status of the first list). The
// component named is the one that holds the value reported.
func TestWrongTypeInComponentsGivenTwiceNamesNoOther(t *testing.T) {
	srv, out, _ := newLoggingReceiver(t)
	body := `{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1","incident_id":"cdn-42",` +
		`"title":"T","status":"resolved","time":"2026-11-24T14:02:00Z",` +
		`"components":[{"name":"CDN","status":"operational"},{"name":"API","status":7}],"components":[{"name":5,"status":"operational"}]}}`
	code, text := signedPost(t, srv, "id-twice", []byte(body))
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "malformed payload: data.components[1].status: want a string, got a number\n", text)
	assert.Empty(t, out.String())
}

// Of a payload that holds "data" twice, encoding/json decodes both into
// one value, and a wrong value in the components of the second is
// reported: it was named without its index ("data.components.status"), as
// only the first "data" was looked into.
func TestWrongTypeInSecondDataNamesTheComponent(t *testing.T) {
	srv, out, _ := newLoggingReceiver(t)
	body := `{"type":"incident.updated","timestamp":"2026-11-24T14:02:00Z","data":{"id":"u_1","incident_id":"cdn-42"},` +
		`"data":{"title":"T","status":"resolved","time":"2026-11-24T14:02:00Z",` +
		`"components":[{"name":"CDN","status":"operational"},{"name":"API","status":7}]}}`
	code, text := signedPost(t, srv, "id-data-twice", []byte(body))
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "malformed payload: data.components[1].status: want a string, got a number\n", text)
	assert.Empty(t, out.String())
}
