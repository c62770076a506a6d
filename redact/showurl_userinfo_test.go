package redact_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// A URL with a user name and a password before its host, a port and a
// path whose segment starts with "@" and a name (a team's, a profile's)
// shows its scheme and host, as it did before the rule for a host that
// may be a user name: its user information ended at its "@", so its host
// is no user name. It is a webhook endpoint the channel accepts, whose
// EndpointName, and so its Ledger key, would otherwise be REDACTED, shared
// by every such endpoint. A user name alone that holds an "@" (an e-mail
// address) may still have been cut, and does not show.
func TestShowURLPasswordGivenPortAndAtSegment(t *testing.T) {
	for raw, want := range map[string]string{
		"https://ops:s3cret@hooks.example.com:8443/@team/notify":  "https://hooks.example.com:8443/…",
		"https://ops:s3cret@hooks.example.com:8443/a/@team":       "https://hooks.example.com:8443/…",
		"https://ops:s3cret@hooks.example.com:8443/x@example.com": "REDACTED",
		"smtp://ops@example.com:1234/@mail":                       "REDACTED",
		"https://first.last:2024/@alice":                          "REDACTED",
	} {
		assert.Equal(t, want, redact.ShowURL(raw), raw)
	}
}
