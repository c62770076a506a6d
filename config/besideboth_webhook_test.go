package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A webhook with both url and endpoints has its other faults named beside
// that one: a secret refused, an endpoint refused, a header refused.
// Before, New named the conflict alone, and the rest took another run.
func TestWebhookFaultsBesideURLAndEndpoints(t *testing.T) {
	const leaked = "hunter2hunter2"
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: webhook",
		"    url: https://hooks.example.com/in",
		"    secret: "+leaked,
		"    endpoints:",
		"      - url: ftp://hooks.example.com/b",
		"        secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"    headers: {Content-Type: text/plain}",
	), nil)
	assertFaults(t, err,
		`test.yaml:3: channels[0] (webhook "webhook"): url: set URL or endpoints, not both`,
		`test.yaml:4: channels[0] (webhook "webhook"): secret: `,
		`test.yaml:6: channels[0] (webhook "webhook"): endpoints[0].url: not an absolute http or https URL`,
		`test.yaml:8: channels[0] (webhook "webhook"): headers["Content-Type"]: reserved, set by the channel`,
	)
	assert.NotContains(t, err.Error(), leaked)
}
