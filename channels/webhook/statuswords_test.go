package webhook

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A header value of Config.Headers is redacted from what a receiver
// answers, not from the words the channel writes itself: a value such as
// "http" (X-Forwarded-Proto) or "Gone" turned every endpoint's failure
// into "REDACTED status 410 Gone" or "http status 410 REDACTED", in the
// error and in the Ledger, and StatusCode, which reads the status there,
// gave 0 for an endpoint that asks to be disabled. The receiver's echo of
// the value is still redacted, a secret its white space split included.
func TestStatusLineKeepsWordsAHeaderValueHolds(t *testing.T) {
	for _, value := range []string{"http", "status", "Gone"} {
		t.Run(value, func(t *testing.T) {
			rc := newReceiver(t)
			rc.on("/gone", echoing(http.StatusGone, func(h http.Header) string {
				return "no more, X-Mode " + h.Get("X-Mode") + ", key " +
					strings.Replace(h.Get("X-Api-Key"), " ", "\r\n\t", 1)
			}))
			ep := rc.endpoint("/gone")
			ch := newTestChannel(t, Config{URL: ep.URL, Secret: ep.Secret, Headers: map[string]redact.Secret{
				"X-Mode": redact.NewSecret(value), "X-Api-Key": redact.NewSecret("Key 0123456789abcdef"),
			}}, nil)
			ledger := channeltest.NewLedger()
			_, err := ch.Send(context.Background(), msg(fullUpdate, ledger))
			require.Error(t, err)
			var te *broadcast.TargetsError
			require.ErrorAs(t, err, &te)
			require.Len(t, te.Failures, 1)
			assert.Equal(t, http.StatusGone, StatusCode(te.Failures[0].Err), "the failure now")
			recorded := ledger.Failed()[target(ep)]
			require.Error(t, recorded)
			assert.Contains(t, recorded.Error(), goneText+": http status 410 Gone: no more, X-Mode REDACTED, key ")
			assert.NotContains(t, recorded.Error(), "0123456789abcdef")
			assert.NotContains(t, te.Failures[0].Err.Error(), "0123456789abcdef")

			// A later attempt reads the status from what the Ledger recorded.
			_, err = ch.Send(context.Background(), msg(fullUpdate, ledger))
			require.ErrorAs(t, err, &te)
			require.Len(t, te.Failures, 1)
			assert.Equal(t, http.StatusGone, StatusCode(te.Failures[0].Err), "the failure recorded earlier")
		})
	}
}
