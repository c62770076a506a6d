package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every id the API takes, its links lead back to: an update queued under
// an id whose URL the server cannot route would be out of the client's
// reach, neither readable nor correctable nor retractable. "/" was taken
// (202), but the router reads /v1/updates/%2F as /v1/updates/ with its
// trailing slash: 404, no such endpoint, on every link.
func TestEveryIDTakenIsReachable(t *testing.T) {
	for _, id := range []string{"/", ".", "..", "a/b", "./", "//", "/x", "x/", "%2F", "x/.."} {
		t.Run(id, func(t *testing.T) {
			ta := newTestAPI()
			body, err := json.Marshal(map[string]string{"id": id, "title": "CDN errors", "status": "investigating"})
			require.NoError(t, err)
			rec := ta.do("POST", "/v1/updates", string(body))
			if rec.Code != http.StatusAccepted {
				require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
				var p problem
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
				assert.Equal(t, "id", p.Field)
				assert.Zero(t, ta.be.queued(), "nothing queued")
				assert.False(t, validID(id), "GET answers 404 at once")
				return
			}
			var acc accepted
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &acc))
			rec = ta.do("GET", acc.Links.Self, "")
			require.Equal(t, http.StatusOK, rec.Code, "GET %s: %s", acc.Links.Self, rec.Body.String())
			assert.Equal(t, id, decodeStatus(t, rec).ID)
			rec = ta.do("POST", acc.Links.Correct, correction)
			assert.Equal(t, http.StatusAccepted, rec.Code, "POST %s: %s", acc.Links.Correct, rec.Body.String())
			rec = ta.do("POST", acc.Links.Retract, "")
			assert.Equal(t, http.StatusAccepted, rec.Code, "POST %s: %s", acc.Links.Retract, rec.Body.String())
		})
	}
}
