package config_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A webhook of many endpoints, each URL and secret from the environment
// (one variable for all, as a shared secret is written), loads in time
// and memory that grow with the number of endpoints, not with its
// square: 2,000 of them took minutes, 500 sharing one secret six. The
// secrets stay hidden.
func TestManyEndpointsFromTheEnvironmentLoadInLinearMemory(t *testing.T) {
	vars := map[string]string{"HOOKS": "https://hooks.example.com/in", "SECRET": secret}
	load := func(n int) uint64 {
		var b strings.Builder
		b.WriteString("channels:\n  - kind: webhook\n    name: subscribers\n    endpoints:\n")
		for i := range n {
			fmt.Fprintf(&b, "      - {url: \"${HOOKS}/%d\", secret: \"${SECRET}\"}\n", i)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cfg, _, err := parse(t, b.String(), vars)
		runtime.ReadMemStats(&after)
		require.NoError(t, err)
		msg := "webhook: https://hooks.example.com/in/7: " + secret
		require.Equal(t, "webhook: https://hooks.example.com/…: ${SECRET}", cfg.Hide(msg))
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := load(25), load(100)
	// Four times the endpoints: about four times the memory, not sixteen.
	require.Less(t, large, 8*small, "bytes allocated loading 25 endpoints: %d, 100: %d", small, large)
}
