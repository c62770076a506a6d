package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A body with several mistakes is refused naming every one, so that a
// client mends them in one go, not one request (and one of its rate
// limit's updates) per mistake: field is the first, errors lists all,
// and detail says them all.
func TestEveryBadFieldIsNamed(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		status     int
		fields     []string
	}{
		// The values that could not be read first, then what the update
		// lacks without them; a value not read is named once, not again
		// as the zero left in its place (components[0].name).
		{"unknown fields and a wrong type", `{"titel": "CDN", "stauts": "resolved", "components": [{"name": 7, "status": "degraded_performance"}, {"nmae": "x"}]}`,
			http.StatusBadRequest, []string{"titel", "stauts", "components[0].name", "components[1].nmae",
				"title", "status", "components[1].name", "components[1].status"}},
		{"a value of the wrong kind, then an unknown field", `{"components": {"name": "CDN"}, "overrides": ["x"], "reason": "typo"}`,
			http.StatusBadRequest, []string{"components", "overrides", "reason", "title", "status"}},
		// A key the API does not take beside a value the Broadcaster
		// refuses: both in one 400. The status was named only in a 422
		// to the request that mended the key.
		{"an unknown field and an invalid value", `{"title": "CDN errors", "status": "investgating", "colour": "red"}`,
			http.StatusBadRequest, []string{"colour", "status"}},
		{"a key given twice and invalid values", `{"title": "CDN errors", "status": "resolved", "impact": "huge", "status": "resolved",
			"components": [{"name": "CDN", "status": "fine"}], "overrides": {"slack": 5}}`,
			http.StatusBadRequest, []string{"status", `overrides["slack"]`, "impact", "components[0].status", `overrides["slack"]`}},
		// The value of a key given twice that was read, the first, is
		// checked as any other; a map value not read leaves its key,
		// whose faults are named too.
		{"a key given twice, its first value invalid", `{"title": "CDN errors", "status": "investgating", "status": "resolved"}`,
			http.StatusBadRequest, []string{"status", "status"}},
		{"an override of the wrong type for no channel", `{"title": "CDN errors", "status": "resolved", "overrides": {"nochan": 5}}`,
			http.StatusBadRequest, []string{`overrides["nochan"]`, `overrides["nochan"]`}},
		{"a correction with an unknown field and an invalid status", `{"title": "CDN", "status": "fixed", "reason": "typo"}`,
			http.StatusBadRequest, []string{"reason", "status"}},
		{"invalid values", `{"title": " ", "status": "investgating", "impact": "huge", "url": "ftp://x",
			"components": [{"name": "CDN", "status": "fine"}, {"name": "API", "status": "operational"}, {"name": "", "status": "nope"}],
			"overrides": {"slack": "hi", "x": "ok"}}`,
			http.StatusUnprocessableEntity,
			[]string{"title", "status", "impact", "components[0].status", "components[2].name", "components[2].status", "url", `overrides["slack"]`}},
		{"a correction with its original's id and an invalid status", `{"id": "u-1", "title": "CDN", "status": "fixed"}`,
			http.StatusUnprocessableEntity, []string{"id", "status"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ta := newTestAPI()
			path := "/v1/updates"
			if strings.HasPrefix(tt.name, "a correction") {
				postedU1(ta)
				path = "/v1/updates/u-1/correct"
			}
			before := ta.be.queued()
			rec := ta.do("POST", path, tt.body)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			var p struct {
				problem
				Errors []struct{ Field, Detail string } `json:"errors"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
				assert.True(t, strings.HasPrefix(e.Detail, e.Field+": "), "%q names its field", e.Detail)
				assert.Contains(t, p.Detail, e.Detail)
			}
			assert.Equal(t, tt.fields, fields)
			assert.Equal(t, tt.fields[0], p.Field)
			assert.Equal(t, before, ta.be.queued(), "nothing queued")
		})
	}
}

// A value not read covers the values within it, and no other; a key
// given twice or unknown covers none.
func TestCovered(t *testing.T) {
	errs := []*inputError{{field: "components[1]", zeroed: true}, {field: "overrides", zeroed: true}, {msg: "no field", zeroed: true},
		{field: "status", msg: "given twice"}, {field: "impact", msg: "unknown field"}}
	for field, want := range map[string]bool{
		"components[1]": true, "components[1].name": true, `overrides["x"]`: true,
		"components[10].name": false, "components": false, "overrides_x": false, "title": false, "": false,
		"status": false, "impact": false,
	} {
		assert.Equal(t, want, covered(errs, field), field)
	}
}
