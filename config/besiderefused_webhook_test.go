package config_test

import "testing"

// The webhook's secret needs no URL: a secret refused is named beside the
// URL missing, which New named alone.
func TestWebhookSecretBesideURLMissing(t *testing.T) {
	_, _, err := parse(t, lines(
		"channels:",
		"  - kind: webhook",
		"    secret: not-a-secret",
	), nil)
	assertFaults(t, err,
		`test.yaml:2: channels[0] (webhook "webhook"): url: missing (secret is set)`,
		`test.yaml:3: channels[0] (webhook "webhook"): secret: `,
	)
}
