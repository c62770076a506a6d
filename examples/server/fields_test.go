package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// An update the Broadcaster refuses is refused naming the field as the
// client wrote it, whatever the field.
func TestCheckUpdateNamesTheJSONField(t *testing.T) {
	valid := func(edit func(*broadcast.Update)) broadcast.Update {
		u := broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating}
		edit(&u)
		return u
	}
	tests := []struct {
		name  string
		u     broadcast.Update
		field string
		msg   string
	}{
		{"title missing", valid(func(u *broadcast.Update) { u.Title = " " }), "title", "title: missing"},
		{"status missing", valid(func(u *broadcast.Update) { u.Status = "" }), "status", "status: missing"},
		{"status unknown", valid(func(u *broadcast.Update) { u.Status = "on_fire" }), "status", `status: unknown value "on_fire"`},
		{"impact unknown", valid(func(u *broadcast.Update) { u.Impact = "huge" }), "impact", "impact: unknown value"},
		{"id with a control character", valid(func(u *broadcast.Update) { u.ID = "a\x01" }), "id", "id: contains the control character"},
		{"incident id too long", valid(func(u *broadcast.Update) { u.IncidentID = strings.Repeat("i", 256) }), "incident_id", "longer than 255 bytes"},
		{"body too long", valid(func(u *broadcast.Update) { u.Body = strings.Repeat("b", broadcast.MaxBodyLength+1) }), "body", "more than 25000"},
		{"advice too long", valid(func(u *broadcast.Update) { u.Advice = strings.Repeat("a", broadcast.MaxAdviceLength+1) }), "advice", "more than 1000"},
		{"component name", valid(func(u *broadcast.Update) {
			u.Components = []broadcast.Component{{Name: "API", Status: broadcast.ComponentOperational}, {Status: broadcast.ComponentOperational}}
		}), "components[1].name", "components[1].name: missing"},
		{"component status", valid(func(u *broadcast.Update) { u.Components = []broadcast.Component{{Name: "API", Status: "fine"}} }),
			"components[0].status", `unknown value "fine"`},
		{"url", valid(func(u *broadcast.Update) { u.URL = "ftp://status.example.com" }), "url", "url: must be an absolute http or https URL"},
		{"override text", valid(func(u *broadcast.Update) { u.Overrides = map[string]string{"x.com: main": "a\x00"} }),
			`overrides["x.com: main"]`, "contains NUL"},
		{"override for no channel", valid(func(u *broadcast.Update) { u.Overrides = map[string]string{"slack": "hi"} }),
			`overrides["slack"]`, "no channel of that name; the channels are hooks, x"},
		{"id a URL cannot hold", valid(func(u *broadcast.Update) { u.ID = ".." }), "id", `".", ".." and "/" cannot be part of the update's URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := checkUpdate(tt.u, []string{"hooks", "x"})
			require.NotNil(t, bad)
			assert.Equal(t, tt.field, bad.field)
			assert.Contains(t, bad.Error(), tt.msg)
			assert.NotContains(t, bad.Error(), "broadcast:")
		})
	}
	assert.Nil(t, checkUpdate(valid(func(u *broadcast.Update) { u.Overrides = map[string]string{"x": "hi"} }), []string{"hooks", "x"}))
}

// A field that is not one of Update's, or an error without one, is
// passed on whole.
func TestInvalidUpdateWithoutAKnownField(t *testing.T) {
	for _, msg := range []string{"original: missing", "Nope: bad", "Title", "Components[x].Name: bad", "Title.Name: bad"} {
		var err error = errorString("broadcast: invalid update: " + msg)
		if field, problem, ok := strings.Cut(msg, ": "); ok {
			err = &broadcast.FieldError{Field: field, Problem: problem}
		}
		bad := invalidUpdate(err)
		require.Len(t, bad, 1)
		assert.Equal(t, "", bad[0].field, msg)
		assert.Equal(t, msg, bad[0].msg)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestValidID(t *testing.T) {
	for _, id := range []string{"u_0123", "a/b", "ü", "a b", "x.y"} {
		assert.True(t, validID(id), id)
	}
	for _, id := range []string{"", ".", "..", "/", "a\x00", "a\nb", strings.Repeat("i", 256), "\xff"} {
		assert.False(t, validID(id), "%q", id)
	}
}

// An unknown value is quoted cut to maxQuoted bytes, as an unknown key
// is: the 422's detail need not echo a client's 10 KB back at it (nor
// fill the log of a proxy that logs answers).
func TestUnknownValueIsQuotedCut(t *testing.T) {
	long := "on_fire_" + strings.Repeat("é", 5000)
	tests := []struct {
		field string
		u     broadcast.Update
	}{
		{"status", broadcast.Update{Title: "CDN", Status: broadcast.Status(long)}},
		{"impact", broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating, Impact: broadcast.Impact(long)}},
		{"components[0].status", broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating,
			Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentStatus(long)}}}},
	}
	for _, tt := range tests {
		bad := checkUpdate(tt.u, nil)
		require.NotNil(t, bad, tt.field)
		assert.Equal(t, tt.field, bad.field)
		assert.Equal(t, tt.field+": unknown value "+quote(long), bad.Error())
		assert.LessOrEqual(t, len(bad.Error()), len(tt.field)+len(": unknown value ")+maxQuoted+len(`""…`))
		assert.Contains(t, bad.Error(), `"on_fire_éé`)
	}
}

// The Broadcaster's own refusal of an override for no channel (a backend
// whose channels changed since the check) is a 422 naming the field too.
func TestBroadcasterOverrideRefusalNamesTheField(t *testing.T) {
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x", nil)}, broadcast.Options{})
	require.NoError(t, err)
	defer b.Close()
	_, err = b.Preview(broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating,
		Overrides: map[string]string{"twiter": "Typo."}})
	bad := invalidUpdate(err)
	require.Len(t, bad, 1)
	assert.Equal(t, `overrides["twiter"]`, bad[0].field)
	assert.Equal(t, `no channel of that name; the channels are "x"`, bad[0].msg)
}

// A refusal of package dispatch (a correction whose original is of
// another incident), wrapped, is a 422 naming the field as the client
// wrote it.
func TestDispatchRefusalNamesTheField(t *testing.T) {
	err := fmt.Errorf("dispatch: correct: %w", &broadcast.FieldError{Field: "IncidentID", Problem: `"dns" is not the incident of update "u-1"`})
	rec := httptest.NewRecorder()
	(&api{}).unavailable(rec, httptest.NewRequest(http.MethodPost, "/v1/updates/u-1/correct", nil), "queue the correction", err)
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	var p struct {
		Field string `json:"field"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	assert.Equal(t, "incident_id", p.Field)
}
