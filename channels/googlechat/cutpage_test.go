package googlechat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/cutbody"
)

// A 2xx page that is not JSON (a captive portal's, a proxy's) is not
// Google's answer even when the channel reads only its start: one longer
// than the channel reads, or one that breaks off. Google answers a post
// with the Message it created, a JSON object. Before, such a page counted
// as a delivery, with a Receipt naming a message that was never posted,
// and the update was lost without an error.
func TestCutPageIsNotDelivered(t *testing.T) {
	const page = "<!DOCTYPE html><html><head><title>Sign in to the guest Wi-Fi</title></head><body>"
	long := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(page + strings.Repeat("<p>Terms of use.</p>", 2*responseLimit/20)))
	}))
	t.Cleanup(long.Close)
	for what, base := range map[string]string{
		"longer than the channel reads": long.URL,
		"broken off":                    cutbody.NewServer(t, http.StatusOK, page).URL,
	} {
		t.Run(what, func(t *testing.T) {
			r, err := cutChannel(t, base).Send(context.Background(), broadcast.NewMessage(fullUpdate))
			require.Error(t, err, "receipt %+v", r)
			assert.True(t, broadcast.IsPermanent(err), err)
			assert.Contains(t, err.Error(), "not Google Chat's answer (check Config.WebhookURL)")
			assert.Contains(t, err.Error(), "Sign in to the guest Wi-Fi")
		})
	}
}
