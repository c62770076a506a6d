package broadcast_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// CheckURL is Validate's check of Update.URL, on its own, for a channel
// given a Message built without the Broadcaster: the same verdict, a
// *FieldError naming URL that does not quote the URL.
func TestCheckURL(t *testing.T) {
	for raw, bad := range map[string]bool{
		"": false, "https://status.example.com/incidents/42?x=1#y": false, "http://127.0.0.1:8080/": false,
		"https://ops:hunter2@status.example.com/": true, "javascript:alert(1)": true,
		"status.example.com/incidents/42": true, "https://status.example.com/a b": true,
		"https://status.example.com/\u200b": true, "https://:8443/x": true, "https://x.example/\x00": true,
		"https://x.example:99999/": true, "\xff": true,
	} {
		err := broadcast.CheckURL(raw)
		u := broadcast.Update{Title: "CDN", Status: broadcast.StatusInvestigating, URL: raw}
		assert.Equal(t, bad, err != nil, "%q: %v", raw, err)
		assert.Equal(t, bad, u.Validate() != nil, "%q: Validate agrees", raw)
		if err == nil {
			continue
		}
		var fe *broadcast.FieldError
		assert.True(t, errors.As(err, &fe) && fe.Field == "URL", "%q: %v", raw, err)
		assert.ErrorIs(t, err, broadcast.ErrInvalidUpdate)
		assert.NotContains(t, err.Error(), "hunter2")
	}
}
