package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// docExample returns the example file of the package documentation: the
// indented block after "A file lists channels".
func docExample(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(src), "// A file lists channels")
	require.True(t, ok, "doc.go has no example file")
	var b strings.Builder
	started := false
	for _, line := range strings.Split(rest, "\n")[1:] {
		text, indented := strings.CutPrefix(line, "//\t")
		switch {
		case indented:
			started = true
			b.WriteString(text + "\n")
		case started:
			return b.String()
		}
	}
	return b.String()
}

// The example file of the package documentation loads, and the schema
// takes it.
func TestDocExampleLoads(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "templates"), 0o755))
	vars := map[string]string{"SLACK_URL": "slack://xoxb:123-456-sample@slack.com/%23ops", "WEBHOOK_SECRET": secret}
	example := docExample(t)
	require.Contains(t, example, "channels:")
	cfg, err := parseIn(dir, example, config.Loader{LookupEnv: env(vars)})
	require.NoError(t, err)
	require.NotEmpty(t, cfg.Stages)
	require.NoError(t, validate(t, compiled(t), example))
}
