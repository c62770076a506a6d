package config

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A webhook of many endpoints, each with a secret and a URL token of its
// own from the environment (two variables each), is loaded with work that
// grows with the number of endpoints, not with its square: each value was
// compared with each secret, and each URL, with a Redactor of its own,
// with each value, so that 5,000 endpoints took 15 seconds. The work
// counted is the comparisons of a value or secret with the whole channel
// (expander.work); the secrets stay hidden.
func TestManyEndpointsWithSecretsOfTheirOwnLoadInLinearWork(t *testing.T) {
	secretOf := func(i int) string {
		return "whsec_" + base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "endpoint-secret-key-%06d", i))
	}
	load := func(n int) int {
		vars := map[string]string{}
		var b strings.Builder
		b.WriteString("channels:\n  - kind: webhook\n    name: subscribers\n    endpoints:\n")
		for i := range n {
			vars[fmt.Sprintf("SECRET_%d", i)] = secretOf(i)
			vars[fmt.Sprintf("TOKEN_%d", i)] = fmt.Sprintf("tok%08d", i)
			fmt.Fprintf(&b, "      - {url: \"https://h%d.example.com/in/${TOKEN_%d}\", secret: \"${SECRET_%d}\"}\n", i, i, i)
		}
		lookup := func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
		l := Loader{LookupEnv: lookup}.withDefaults()
		dir := t.TempDir()
		ex := &expander{lookup: lookup, dir: dir}
		_, err := l.parse(filepath.Join(dir, "test.yaml"), dir, []byte(b.String()), ex)
		require.NoError(t, err)
		msg := fmt.Sprintf("webhook: https://h7.example.com/in/tok%08d: %s", 7, secretOf(7))
		require.Equal(t, "webhook: https://h7.example.com/in/${TOKEN_7}: ${SECRET_7}", ex.hider().Replace(msg))
		return ex.work
	}
	small, large := load(100), load(400)
	// Four times the endpoints: about four times the work, not sixteen.
	require.Less(t, large, 8*small, "values and texts compared loading 100 endpoints: %d, 400: %d", small, large)
}
