package webhook

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var fullUpdate = broadcast.Update{
	ID: "u_full", IncidentID: "cdn-errors", Title: "CDN errors in EU", Status: broadcast.StatusIdentified,
	Impact: broadcast.ImpactMajor, Body: "We found the cause: a bad config push.\nRolling back.",
	Components: []broadcast.Component{{Name: "CDN", Status: broadcast.ComponentPartialOutage}},
	URL:        "https://status.example.com/incidents/42",
	Time:       time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
	NextUpdate: time.Date(2025, 3, 1, 13, 30, 0, 0, time.FixedZone("CET", 3600)),
	Overrides:  map[string]string{"x": "CDN errors in EU, fix rolling out"},
	Advice:     "Retry failed requests; the US endpoint is unaffected.",
}

// sent is fullUpdate as a Broadcaster of webhook channels alone takes it:
// without its override for "x", a channel it does not have (Send refuses
// an override that names none of its channels).
var sent = func() broadcast.Update {
	u := fullUpdate
	u.Overrides = nil
	return u
}()

// correctedUpdate corrects fullUpdate, as Broadcaster.Correct sends it.
var correctedUpdate = func() broadcast.Update {
	u := fullUpdate
	u.ID, u.Corrects = "u_fix", fullUpdate.ID
	u.Body = "Correction: the cause was a certificate rotation, not a config push."
	u.Time = fullUpdate.Time.Add(5 * time.Minute)
	return u
}()

var minimalUpdate = broadcast.Update{Title: "Scheduled maintenance", Status: broadcast.StatusScheduled}.
	WithDefaults(time.Date(2025, 3, 2, 8, 0, 0, 0, time.UTC))

// payloads are the bodies the channel sends, by golden file name.
func payloads(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	for name, u := range map[string]broadcast.Update{"full": fullUpdate, "minimal": minimalUpdate, "corrected": correctedUpdate} {
		body, err := encode("webhook", u)
		require.NoError(t, err)
		out[name] = body
	}
	body, err := encodeRetraction("u_full", "cdn-errors", time.Date(2025, 3, 1, 12, 40, 0, 0, time.FixedZone("CET", 3600)))
	require.NoError(t, err)
	out["retracted"] = body
	return out
}

func TestPayloadGolden(t *testing.T) {
	for name, body := range payloads(t) {
		t.Run(name, func(t *testing.T) {
			var pretty bytes.Buffer
			require.NoError(t, json.Indent(&pretty, body, "", "  "))
			path := filepath.Join("testdata", name+".json")
			if *update {
				require.NoError(t, os.WriteFile(path, append(pretty.Bytes(), '\n'), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(body))
		})
	}
}

func TestPayloadCarriesEveryField(t *testing.T) {
	body, err := encode("webhook", fullUpdate)
	require.NoError(t, err)
	var p Payload
	require.NoError(t, json.Unmarshal(body, &p))
	assert.Equal(t, EventUpdated, p.Type)
	assert.True(t, fullUpdate.Time.Equal(p.Timestamp))
	d := p.Data
	assert.Equal(t, fullUpdate.ID, d.ID)
	assert.Equal(t, fullUpdate.IncidentID, d.IncidentID)
	assert.Equal(t, fullUpdate.Title, d.Title)
	assert.Equal(t, string(fullUpdate.Status), d.Status)
	assert.Equal(t, string(fullUpdate.Impact), d.Impact)
	assert.Equal(t, fullUpdate.Body, d.Body)
	assert.Equal(t, []Component{{Name: "CDN", Status: "partial_outage"}}, d.Components)
	assert.Equal(t, fullUpdate.URL, d.URL)
	assert.True(t, fullUpdate.Time.Equal(d.Time))
	assert.True(t, fullUpdate.NextUpdate.Equal(d.NextUpdate))
	assert.Equal(t, fullUpdate.Overrides, d.Overrides)
	assert.Equal(t, fullUpdate.Advice, d.Advice)
	assert.Empty(t, d.Corrects)
	// A field added to Update must be added to Data (and to this test).
	assert.Equal(t, reflect.TypeFor[broadcast.Update]().NumField(), reflect.TypeFor[Data]().NumField())
}

func TestCorrectionAndRetractionPayloads(t *testing.T) {
	body, err := encode("webhook", correctedUpdate)
	require.NoError(t, err)
	var p Payload
	require.NoError(t, json.Unmarshal(body, &p))
	assert.Equal(t, EventCorrected, p.Type)
	assert.Equal(t, "u_full", p.Data.Corrects, "the update it corrects")
	assert.Equal(t, correctedUpdate.Body, p.Data.Body)

	at := time.Date(2025, 3, 1, 13, 0, 0, 0, time.FixedZone("CET", 3600))
	body, err = encodeRetraction("u_full", "cdn-errors", at)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"incident.retracted","timestamp":"2025-03-01T12:00:00Z",
		"data":{"id":"u_full","incident_id":"cdn-errors"}}`, string(body))
	p = Payload{}
	require.NoError(t, json.Unmarshal(body, &p), "receivers decode it into a Payload too")
	assert.Equal(t, Payload{Type: EventRetracted, Timestamp: at.UTC(), Data: Data{ID: "u_full", IncidentID: "cdn-errors"}}, p)
}

func TestPayloadMatchesSchema(t *testing.T) {
	var s map[string]any
	require.NoError(t, json.Unmarshal(Schema(), &s))
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", s["$schema"])
	for name, body := range payloads(t) {
		t.Run(name, func(t *testing.T) {
			var doc any
			require.NoError(t, json.Unmarshal(body, &doc))
			assert.Empty(t, checkSchema(s, s, doc, "$"))
		})
	}
	t.Run("the check catches a bad payload", func(t *testing.T) {
		for doc, wants := range map[string][]string{
			`{"type":"x","data":{"id":1,"extra":true,"components":[{}]}}`: {"$: matches 0 of 2 schemas in oneOf",
				"$: missing timestamp", "$.type: x not in the enum", "$.type: not the constant", "$.data.id: want string",
				"$.data: unexpected extra", "$.data.components[0]: missing name", "$.data: missing title"},
			`{"type":"incident.retracted","timestamp":"2025-03-01T12:00:00Z","data":{"id":"u_1","title":"T"}}`: {
				"$.data: unexpected title", "$.type: incident.retracted not in the enum"},
			`{"type":"incident.updated","timestamp":"2025-03-01T12:00:00Z","data":{"id":"u_1"}}`: {
				"$.data: missing title", "$.type: not the constant"},
		} {
			var v any
			require.NoError(t, json.Unmarshal([]byte(doc), &v))
			got := strings.Join(checkSchema(s, s, v, "$"), "\n")
			for _, want := range wants {
				assert.Contains(t, got, want, doc)
			}
		}
	})
}

// checkSchema is a small structural check of doc against the subset of
// JSON Schema that schema.json uses: oneOf, $ref to $defs, type, const,
// enum, required, properties, additionalProperties and items.
func checkSchema(root, s map[string]any, doc any, at string) []string {
	if ref, ok := s["$ref"].(string); ok {
		name := ref[len("#/$defs/"):]
		return checkSchema(root, root["$defs"].(map[string]any)[name].(map[string]any), doc, at)
	}
	if one, ok := s["oneOf"].([]any); ok {
		return checkOneOf(root, one, doc, at)
	}
	var errs []string
	if c, ok := s["const"]; ok && c != doc {
		errs = append(errs, at+": not the constant")
	}
	if e, ok := s["enum"].([]any); ok && !slices.Contains(e, doc) {
		errs = append(errs, fmt.Sprintf("%s: %v not in the enum", at, doc))
	}
	if want, ok := s["type"].(string); ok && jsonType(doc) != want {
		return append(errs, fmt.Sprintf("%s: want %s, got %s", at, want, jsonType(doc)))
	}
	switch v := doc.(type) {
	case map[string]any:
		errs = append(errs, checkObject(root, s, v, at)...)
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range v {
				errs = append(errs, checkSchema(root, items, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

// checkOneOf requires doc to match exactly one of schemas; when it matches
// none, it returns every schema's errors.
func checkOneOf(root map[string]any, schemas []any, doc any, at string) []string {
	var all []string
	matched := 0
	for _, sub := range schemas {
		errs := checkSchema(root, sub.(map[string]any), doc, at)
		if len(errs) == 0 {
			matched++
		}
		all = append(all, errs...)
	}
	if matched == 1 {
		return nil
	}
	return append([]string{fmt.Sprintf("%s: matches %d of %d schemas in oneOf", at, matched, len(schemas))}, all...)
}

func checkObject(root, s, v map[string]any, at string) []string {
	var errs []string
	req, _ := s["required"].([]any)
	for _, r := range req {
		if _, ok := v[r.(string)]; !ok {
			errs = append(errs, fmt.Sprintf("%s: missing %s", at, r))
		}
	}
	props, _ := s["properties"].(map[string]any)
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if p, ok := props[k].(map[string]any); ok {
			errs = append(errs, checkSchema(root, p, v[k], at+"."+k)...)
		} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
			errs = append(errs, checkSchema(root, ap, v[k], at+"."+k)...)
		} else if s["additionalProperties"] == false {
			errs = append(errs, fmt.Sprintf("%s: unexpected %s", at, k))
		}
	}
	return errs
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}
