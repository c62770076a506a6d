package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A webhook header whose value a reference left empty (${TOKEN:-} of an
// unset variable, or "@Authorization=${TOKEN:-}" in a channel URL) is
// refused when the file loads, naming the header: sent empty, the
// receiver would refuse every delivery. Before, the file loaded and the
// header went out empty.
func TestEmptyWebhookHeaderRefused(t *testing.T) {
	tests := []struct{ name, file string }{
		{"entry", lines("channels:", "  - kind: webhook", "    url: https://hooks.example.com/in", "    secret: "+secret,
			"    headers: {Authorization: '${TOKEN:-}', X-Source: outagecast}")},
		{"url", lines("channels:", "  - webhook://hooks.example.com/in?secret="+secret+"&@Authorization=${TOKEN:-}")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.file, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `(webhook "webhook"): headers["Authorization"]: empty value`)
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, err.Error(), "outagecast")
		})
	}
}
