package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/outagecast/outagecast/broadcast"
)

// openAPIDoc is the part of the OpenAPI document the tests compare.
type openAPIDoc struct {
	Paths      map[string]map[string]yaml.Node `yaml:"paths"`
	Components struct {
		Responses map[string]openAPIResponse `yaml:"responses"`
		Schemas   map[string]struct {
			Properties map[string]struct {
				Enum []string `yaml:"enum"`
			} `yaml:"properties"`
		} `yaml:"schemas"`
	} `yaml:"components"`
}

type openAPIOperation struct {
	Security  *[]map[string][]string     `yaml:"security"`
	Responses map[string]openAPIResponse `yaml:"responses"`
}

type openAPIResponse struct {
	Ref     string              `yaml:"$ref"`
	Headers map[string]any      `yaml:"headers"`
	Content map[string]struct{} `yaml:"content"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	require.NoError(t, yaml.Unmarshal(openAPIYAML, &doc))
	return doc
}

// operations returns the document's operations by mux pattern ("GET
// /v1/updates/{id}").
func (doc openAPIDoc) operations(t *testing.T) map[string]openAPIOperation {
	ops := map[string]openAPIOperation{}
	for path, item := range doc.Paths {
		for method, node := range item {
			if method == "parameters" {
				continue
			}
			var op openAPIOperation
			require.NoError(t, node.Decode(&op), "%s %s", method, path)
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	return ops
}

// response resolves the response of op for status, and says where in the
// document it is, as a JSON pointer.
func (doc openAPIDoc) response(op openAPIOperation, pattern string, status int) (openAPIResponse, string, bool) {
	code := strconv.Itoa(status)
	r, ok := op.Responses[code]
	if !ok {
		return r, "", false
	}
	if name, isRef := strings.CutPrefix(r.Ref, "#/components/responses/"); isRef {
		return doc.Components.Responses[name], "/components/responses/" + name, true
	}
	method, path, _ := strings.Cut(pattern, " ")
	return r, "/paths/" + pointerEscape(path) + "/" + strings.ToLower(method) + "/responses/" + code, true
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// The document and the mux have the same routes, each reaching the route
// the document names, and the same routes need a token.
func TestOpenAPIRoutesAreTheMuxRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	ops := doc.operations(t)
	ta := newTestAPI()
	var patterns []string
	for _, rt := range ta.routes() {
		patterns = append(patterns, rt.pattern)
		op, ok := ops[rt.pattern]
		if !assert.True(t, ok, "%s is served but not in openapi.yaml", rt.pattern) {
			continue
		}
		public := op.Security != nil && len(*op.Security) == 0
		assert.Equal(t, rt.public, public, "%s: public in the server and in openapi.yaml (security: [])", rt.pattern)
	}
	mux := http.NewServeMux()
	for _, rt := range ta.routes() {
		mux.Handle(rt.pattern, rt.handle)
	}
	for pattern := range ops {
		assert.Contains(t, patterns, pattern, "%s is in openapi.yaml but not served", pattern)
		method, path, _ := strings.Cut(pattern, " ")
		req := httptest.NewRequest(method, strings.ReplaceAll(path, "{id}", "u%2F1"), nil)
		_, got := mux.Handler(req)
		assert.Equal(t, pattern, got, "the mux routes %s %s", method, req.URL.Path)
	}
}

// Every answer the API gives in TestAPI's cases has its status code, its
// content type and its headers in the document, and its body matches the
// document's schema; and every status code the document lists is among
// them.
func TestOpenAPIResponsesAreTheServersAnswers(t *testing.T) {
	doc := loadOpenAPI(t)
	ops := doc.operations(t)
	schemas := compileOpenAPI(t)
	seen := map[string]map[string]bool{} // codes answered, by pattern
	for _, c := range apiCases() {
		ta := newTestAPI()
		if c.setup != nil {
			c.setup(ta)
		}
		req := ta.requestOf(c)
		rec := httptest.NewRecorder()
		ta.h.ServeHTTP(rec, req)
		op, ok := ops[req.Pattern]
		require.True(t, ok, "%s: route %q not in openapi.yaml", c.name, req.Pattern)
		if seen[req.Pattern] == nil {
			seen[req.Pattern] = map[string]bool{}
		}
		seen[req.Pattern][strconv.Itoa(rec.Code)] = true
		resp, at, ok := doc.response(op, req.Pattern, rec.Code)
		if !assert.True(t, ok, "%s: %s answered %d, not in openapi.yaml", c.name, req.Pattern, rec.Code) {
			continue
		}
		checkAnswer(t, c.name, schemas, resp, at, rec)
	}
	for pattern, op := range ops {
		for code := range op.Responses {
			assert.True(t, seen[pattern][code], "openapi.yaml: %s answers %s, but no case of TestAPI gets it", pattern, code)
		}
	}
}

// checkAnswer compares one answer with its response in the document at
// the JSON pointer at.
func checkAnswer(t *testing.T, name string, schemas *jsonschema.Compiler, resp openAPIResponse, at string, rec *httptest.ResponseRecorder) {
	t.Helper()
	for h := range resp.Headers {
		assert.NotEmpty(t, rec.Header().Get(h), "%s: header %s", name, h)
	}
	ct, _, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	require.NoError(t, err, name)
	if _, ok := resp.Content[ct]; !assert.True(t, ok, "%s: Content-Type %s not in openapi.yaml at %s", name, ct, at) {
		return
	}
	if ct != "application/json" && ct != "application/problem+json" {
		return
	}
	s, err := schemas.Compile("openapi.json#" + at + "/content/" + pointerEscape(ct) + "/schema")
	require.NoError(t, err, name)
	body, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Body.Bytes()))
	require.NoError(t, err, name)
	assert.NoError(t, s.Validate(body), "%s: %s", name, rec.Body.String())
}

// compileOpenAPI returns a compiler that knows the document as
// openapi.json, for its schemas.
func compileOpenAPI(t *testing.T) *jsonschema.Compiler {
	t.Helper()
	raw, err := openAPIJSON()
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("openapi.json", doc))
	return c
}

// The document's Update and Component have the fields of the library's
// types, by their JSON names, and only valid values in their enums; the
// decoder takes exactly those fields.
func TestOpenAPIUpdateIsBroadcastUpdate(t *testing.T) {
	doc := loadOpenAPI(t)
	for name, typ := range map[string]reflect.Type{"Update": reflect.TypeFor[broadcast.Update](),
		"Component": reflect.TypeFor[broadcast.Component]()} {
		var documented []string
		for p := range doc.Components.Schemas[name].Properties {
			documented = append(documented, p)
		}
		var fields []string
		for f := range jsonFields(typ) {
			fields = append(fields, f)
		}
		slices.Sort(documented)
		slices.Sort(fields)
		assert.Equal(t, fields, documented, name)
	}
	valid := map[string]func(string) bool{
		"Update.status":    func(v string) bool { return broadcast.Status(v).Valid() },
		"Update.impact":    func(v string) bool { return broadcast.Impact(v).Valid() },
		"Component.status": func(v string) bool { return broadcast.ComponentStatus(v).Valid() },
	}
	for field, ok := range valid {
		schema, prop, _ := strings.Cut(field, ".")
		enum := doc.Components.Schemas[schema].Properties[prop].Enum
		assert.NotEmpty(t, enum, field)
		for _, v := range enum {
			assert.True(t, ok(v), "%s: %q", field, v)
		}
	}
	assert.Len(t, doc.Components.Schemas["Update"].Properties["status"].Enum, 8, "every status")
	assert.Len(t, doc.Components.Schemas["Update"].Properties["impact"].Enum, 5, "every impact")
	assert.Len(t, doc.Components.Schemas["Component"].Properties["status"].Enum, 5, "every component status")
}

// The JSON document served is the YAML one.
func TestOpenAPIJSONIsTheYAML(t *testing.T) {
	ta := newTestAPI()
	j := ta.do("GET", "/openapi.json", "")
	y := ta.do("GET", "/openapi.yaml", "")
	require.Equal(t, http.StatusOK, j.Code)
	var fromJSON, fromYAML any
	require.NoError(t, json.Unmarshal(j.Body.Bytes(), &fromJSON))
	require.NoError(t, yaml.Unmarshal(y.Body.Bytes(), &fromYAML))
	assert.Equal(t, fmt.Sprint(fromYAML), fmt.Sprint(fromJSON))
	assert.Equal(t, "3.1.0", fromJSON.(map[string]any)["openapi"])
}

// The document's request bodies are what the server takes: every body of
// TestAPI's cases that the server accepts (202) matches the document's
// schema, and every body it cannot read for a value at fault (400 with a
// field: an unknown field, a value of the wrong type) does not.
func TestOpenAPIRequestsAreWhatTheServerTakes(t *testing.T) {
	schemas := compileOpenAPI(t)
	for _, c := range apiCases() {
		if c.body == "" || (c.status != http.StatusAccepted && (c.status != http.StatusBadRequest || c.field == "")) {
			continue
		}
		if strings.Contains(c.path, "?") {
			continue // refused for its query, whatever its body
		}
		if strings.Contains(c.detail, "lone UTF-16 surrogate") {
			continue // a schema sees the decoded text, where the surrogate is U+FFFD already
		}
		ta := newTestAPI()
		req := ta.request(c.method, c.path, c.body, c.header...)
		ta.h.ServeHTTP(httptest.NewRecorder(), req)
		_, path, _ := strings.Cut(req.Pattern, " ")
		at := "/paths/" + pointerEscape(path) + "/" + strings.ToLower(c.method) + "/requestBody/content/application~1json/schema"
		s, err := schemas.Compile("openapi.json#" + at)
		require.NoError(t, err, c.name)
		// A byte order mark precedes the JSON text: the schema is the text's.
		body, err := jsonschema.UnmarshalJSON(strings.NewReader(strings.TrimPrefix(c.body, bom)))
		require.NoError(t, err, c.name)
		if c.status == http.StatusAccepted {
			assert.NoError(t, s.Validate(body), "%s: the server takes it, openapi.yaml refuses it", c.name)
		} else {
			assert.Error(t, s.Validate(body), "%s: the server cannot read it, openapi.yaml takes it", c.name)
		}
	}
}

// schemaAt returns the value of the document at the JSON pointer at.
func schemaAt(t *testing.T, at string) map[string]any {
	t.Helper()
	raw, err := openAPIJSON()
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(raw, &v))
	for _, key := range strings.Split(strings.TrimPrefix(at, "/"), "/") {
		m, ok := v.(map[string]any)
		require.True(t, ok, "openapi.yaml has no %s", at)
		v = m[strings.ReplaceAll(strings.ReplaceAll(key, "~1", "/"), "~0", "~")]
	}
	m, ok := v.(map[string]any)
	require.True(t, ok, "openapi.yaml has no object at %s", at)
	return m
}

// JSON Schema's maxLength counts characters (code points, JSON Schema
// 2020-12 validation, 6.3.1); the library counts some limits in bytes of
// UTF-8 (ids, the URL). Every text a client's validator takes, at the
// document's maxLength and in the widest characters it takes (4 bytes of
// UTF-8 each where it takes any), the server takes too.
func TestOpenAPILimitsHoldForMultiByteText(t *testing.T) {
	schemas := compileOpenAPI(t)
	postSchema, err := schemas.Compile("openapi.json#/paths/~1v1~1updates/post/requestBody/content/application~1json/schema")
	require.NoError(t, err)
	const u = "/components/schemas/Update/properties/"
	fields := []struct {
		at   string // the pointer to the property's schema
		body func(s string) string
	}{
		{u + "id", func(s string) string { return `{"id": ` + s + `, "title": "CDN", "status": "investigating"}` }},
		{u + "incident_id", func(s string) string { return `{"incident_id": ` + s + `, "title": "CDN", "status": "investigating"}` }},
		{u + "corrects", func(s string) string { return `{"corrects": ` + s + `, "title": "CDN", "status": "resolved"}` }},
		{u + "title", func(s string) string { return `{"title": ` + s + `, "status": "investigating"}` }},
		{u + "body", func(s string) string { return `{"title": "CDN", "status": "investigating", "body": ` + s + `}` }},
		{u + "advice", func(s string) string { return `{"title": "CDN", "status": "investigating", "advice": ` + s + `}` }},
		{u + "overrides/additionalProperties", func(s string) string {
			return `{"title": "CDN", "status": "investigating", "overrides": {"x": ` + s + `}}`
		}},
		{"/components/schemas/Component/properties/name", func(s string) string {
			return `{"title": "CDN", "status": "investigating", "components": [{"name": ` + s + `, "status": "major_outage"}]}`
		}},
		{u + "url", func(s string) string { return `{"title": "CDN", "status": "investigating", "url": ` + s + `}` }},
	}
	for _, f := range fields {
		name := f.at[strings.LastIndex(f.at, "/components/schemas/")+len("/components/schemas/"):]
		t.Run(name, func(t *testing.T) {
			limit, ok := schemaAt(t, f.at)["maxLength"].(float64)
			require.True(t, ok, "%s: no maxLength", f.at)
			taken := false
			for _, c := range []string{"😀", "€", "é", "a"} { // 4, 3, 2 and 1 bytes of UTF-8
				text := strings.Repeat(c, int(limit))
				if strings.HasSuffix(name, "/url") {
					text = "https://status.example.com/" + strings.Repeat(c, int(limit)-len("https://status.example.com/"))
				}
				quoted, err := json.Marshal(text)
				require.NoError(t, err)
				body := f.body(string(quoted))
				doc, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
				require.NoError(t, err)
				if postSchema.Validate(doc) != nil {
					continue // the document refuses it: no client sends it
				}
				taken = true
				ta := newTestAPI()
				ta.maxBody = defaultMaxBody
				path := "/v1/updates"
				if name == "Update/properties/corrects" { // a correction of the update whose id is text
					original := `{"id": ` + string(quoted) + `, "title": "CDN", "status": "investigating"}`
					require.Equal(t, http.StatusAccepted, ta.do("POST", path, original).Code)
					path = linksOf(text).Correct
				}
				rec := ta.do("POST", path, body)
				assert.Equal(t, http.StatusAccepted, rec.Code, "%d × %q (%d bytes): openapi.yaml takes it, the server refuses it: %s",
					int(limit), c, len(text), rec.Body.String())
				if rec.Code == http.StatusAccepted {
					assert.Equal(t, http.StatusOK, ta.do("GET", rec.Header().Get("Location"), "").Code, "its URL leads to it")
				}
			}
			assert.True(t, taken, "openapi.yaml takes no text of %s at its maxLength", name)
		})
	}
	param := schemaAt(t, "/components/parameters/id/schema")
	assert.Equal(t, schemaAt(t, u+"id")["maxLength"], param["maxLength"], "the path's id and the body's have one limit")
}
