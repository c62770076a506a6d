package main

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every problem that names a value at fault (field) lists it in errors
// too, first, as its detail says it: a client that reads errors alone,
// as the OpenAPI document describes them, sees every fault. A bad ?wait
// (a duration not taken, or over 30s) was answered with field "wait" and
// no errors, where the same parameter given twice is listed.
func TestEveryFieldNamedIsListed(t *testing.T) {
	for _, c := range apiCases() {
		t.Run(c.name, func(t *testing.T) {
			ta := newTestAPI()
			if c.setup != nil {
				c.setup(ta)
			}
			rec := httptest.NewRecorder()
			ta.h.ServeHTTP(rec, ta.requestOf(c))
			if rec.Code < 400 || rec.Header().Get("Content-Type") != "application/problem+json" {
				return
			}
			var p problem
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
			if p.Field == "" {
				return
			}
			require.NotEmpty(t, p.Errors, "field %q named, errors empty: %s", p.Field, rec.Body.String())
			assert.Equal(t, p.Field, p.Errors[0].Field)
			for _, e := range p.Errors {
				assert.Contains(t, p.Detail, e.Detail)
			}
		})
	}
}
