package config_test

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/config"
)

// BenchmarkLoadManyChannels parses a file of 1,000 webhook channels, each
// with a secret and a header written in the file: every name is checked
// against every entry's written secrets (redact.CheckName), so the cost
// grows with the square of the channels.
func BenchmarkLoadManyChannels(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("channels:\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "  - kind: webhook\n    name: hook-%04d\n    url: https://hooks.example.com/in/%d\n"+
			"    secret: whsec_%s\n    headers: {X-Token: header-token-%04d}\n", i, i, base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "outagecast-webhook-secret-value-%04d", i)), i)
	}
	data := sb.String()
	name := filepath.Join(b.TempDir(), "test.yaml")
	l := config.Loader{LookupEnv: env(nil)}
	b.ResetTimer()
	for range b.N {
		if _, err := l.Parse(strings.NewReader(data), name); err != nil {
			b.Fatal(err)
		}
	}
}
