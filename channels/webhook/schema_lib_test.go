package webhook

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// compiledSchema is schema.json compiled by an independent JSON Schema
// implementation, which also asserts its formats, the URI ones as strictly
// as RFC 3986 and RFC 3987 write them (as many receivers' validators do).
func compiledSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, name := range []string{"uri", "uri-reference", "iri", "iri-reference"} {
		iri := strings.HasPrefix(name, "iri")
		c.RegisterFormat(&jsonschema.Format{Name: name, Validate: func(v any) error {
			s, _ := v.(string)
			if i := strings.IndexFunc(s, func(r rune) bool { return !uriChar(r, iri) }); i >= 0 {
				return fmt.Errorf("%q not allowed in %s", s[i:i+utf8.RuneLen([]rune(s[i:])[0])], name)
			}
			if strings.Count(s, "#") > 1 {
				return fmt.Errorf("two fragments in %s", name)
			}
			return nil
		}})
	}
	require.NoError(t, c.AddResource("schema.json", doc))
	s, err := c.Compile("schema.json")
	require.NoError(t, err)
	return s
}

// uriChar reports whether r may be written unescaped in a URI (RFC 3986),
// or with iri in an IRI (RFC 3987, which adds letters outside ASCII).
func uriChar(r rune, iri bool) bool {
	if r > unicode.MaxASCII {
		return iri && unicode.In(r, unicode.L, unicode.M, unicode.N)
	}
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~:/?#[]@!$&'()*+,;=%", r)
}

// Every payload encode writes for an update Validate takes, and every
// retraction, is valid by schema.json: a receiver that validates the body
// against the published schema accepts it.
func TestPayloadValidByJSONSchemaLibrary(t *testing.T) {
	s := compiledSchema(t)
	check := func(t *testing.T, body []byte) {
		t.Helper()
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		require.NoError(t, err)
		require.NoError(t, s.Validate(inst), "%s", body)
	}
	long := func(u broadcast.Update) broadcast.Update {
		u.ID = strings.Repeat("i", 255)
		u.IncidentID = strings.Repeat("n", 255)
		u.Title = strings.Repeat("é", broadcast.MaxTitleLength)
		u.Advice = strings.Repeat("ü", broadcast.MaxAdviceLength)
		u.Components = []broadcast.Component{{Name: strings.Repeat("ß", broadcast.MaxComponentNameLength), Status: broadcast.ComponentMaintenance}}
		u.Time = time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.FixedZone("X", -7*3600-1800))
		u.NextUpdate = u.Time.Add(time.Hour)
		u.URL = "https://status.example.com/incidents/42?lang=de#update-7"
		return u
	}
	overridden := fullUpdate
	overridden.Overrides = map[string]string{"webhook": "Text for webhooks"}
	updates := map[string]broadcast.Update{
		"full": fullUpdate, "minimal": minimalUpdate, "corrected": correctedUpdate,
		"longest fields": long(fullUpdate), "longest correction": long(correctedUpdate), "override": overridden,
	}
	// URLs Validate takes that a URI (RFC 3986) writes otherwise.
	for _, url := range []string{"https://status.example.com/störung/42", "https://bücher.example/status",
		"https://status.example.com/a|b/{id}/x^y/`z`", `https://status.example.com/a\b`, "https://status.example.com/#a#b",
		"https://status.example.com/a[1]"} {
		u := fullUpdate
		u.URL = url
		updates[url] = u
	}
	for _, st := range []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified, broadcast.StatusMonitoring,
		broadcast.StatusResolved, broadcast.StatusScheduled, broadcast.StatusInProgress, broadcast.StatusVerifying, broadcast.StatusCompleted} {
		for _, im := range []broadcast.Impact{"", broadcast.ImpactNone, broadcast.ImpactMinor, broadcast.ImpactMajor,
			broadcast.ImpactCritical, broadcast.ImpactMaintenance} {
			u := fullUpdate
			u.Status, u.Impact = st, im
			if st.Closes() {
				u.NextUpdate = time.Time{}
			}
			updates[string(st)+"/"+string(im)] = u
		}
	}
	for _, cs := range []broadcast.ComponentStatus{broadcast.ComponentOperational, broadcast.ComponentDegraded,
		broadcast.ComponentPartialOutage, broadcast.ComponentMajorOutage, broadcast.ComponentMaintenance} {
		u := fullUpdate
		u.Components = []broadcast.Component{{Name: "API", Status: cs}}
		updates[string(cs)] = u
	}
	for name, u := range updates {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, u.Validate())
			body, err := encode("webhook", u)
			require.NoError(t, err)
			check(t, body)
		})
	}
	t.Run("retracted", func(t *testing.T) {
		at := time.Date(2025, 3, 1, 12, 40, 0, 5, time.FixedZone("CET", 3600))
		for _, incident := range []string{"cdn-errors", ""} {
			body, err := encodeRetraction("u_full", incident, at)
			require.NoError(t, err)
			check(t, body)
		}
	})
	t.Run("the schema refuses what it should", func(t *testing.T) {
		for _, doc := range []string{
			`{"type":"incident.updated","timestamp":"2025-03-01T12:00:00Z","data":{"id":"u_1","incident_id":"i","title":"T","status":"resolved","components":[],"time":"yesterday"}}`,
			`{"type":"incident.updated","timestamp":"2025-03-01T12:00:00Z","data":{"id":"u_1","incident_id":"i","title":"","status":"resolved","components":[],"time":"2025-03-01T12:00:00Z"}}`,
			`{"type":"incident.retracted","timestamp":"2025-03-01T12:00:00Z","data":{"id":"u_1","title":"T"}}`,
		} {
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
			require.NoError(t, err)
			require.Error(t, s.Validate(inst), doc)
		}
	})
}
