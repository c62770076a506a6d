package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A component listed twice is refused naming the first listing as the
// client wrote it (components[0]), not by the Go field the Broadcaster
// checks (Components[0]); a name holding those words is left as sent.
func TestListedTwiceNamesTheJSONPath(t *testing.T) {
	ta := newTestAPI()
	rec := ta.do("POST", "/v1/updates", `{"title": "CDN errors", "status": "investigating", "components": [
		{"name": "CDN, listed already as Components[7] x", "status": "operational"},
		{"name": "CDN", "status": "operational"}, {"name": "cdn", "status": "operational"},
		{"name": "CDN, listed already as Components[7] x", "status": "operational"}]}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	var p struct {
		Errors []struct{ Field, Detail string } `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	require.Len(t, p.Errors, 2, rec.Body.String())
	assert.Equal(t, "components[2].name", p.Errors[0].Field)
	assert.Contains(t, p.Errors[0].Detail, `"cdn", listed already as components[1] (`)
	assert.Equal(t, "components[3].name", p.Errors[1].Field)
	assert.Contains(t, p.Errors[1].Detail, `"CDN, listed already as Components[7] x", listed already as components[0] (`)
}
