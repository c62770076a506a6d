package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// A secret written in the file that is also common text (a header value
// "test.yaml", or "outagecast") is hidden in Load's errors, but not in the
// file's name that starts each of its lines: the name is the caller's,
// no secret, and without it the error no longer says which file is
// wrong. Before, "X-A: test.yaml" made every line "…/REDACTED:6: …".
func TestWrittenSecretLeavesFileNameAlone(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outagecast")
	name := filepath.Join(dir, "test.yaml")
	_, err := config.Loader{LookupEnv: env(nil)}.Parse(strings.NewReader(lines(
		"channels:",
		"  - kind: webhook",
		"    url: https://hooks.example.com/in",
		"    allow_unsigned: true",
		"    headers: {X-A: test.yaml, X-B: outagecast, X-C: hunter2secret}",
		"    bogus: 1",
		"  - kind: email",
		"    tls: *hunter",
	)), name)
	require.Error(t, err)
	_, err = config.Loader{LookupEnv: env(nil)}.Parse(strings.NewReader(lines(
		"channels:",
		"  - kind: webhook",
		"    url: https://hooks.example.com/in",
		"    allow_unsigned: true",
		"    headers: {X-A: test.yaml, X-B: outagecast, X-C: &h hunter2secret}",
		"    bogus: 1",
		"  - kind: email",
		"    name: mail",
		"    host: smtp.example.com",
		"    from: a@example.com",
		"    to: [b@example.com]",
		"    tls: *h",
	)), name)
	require.Error(t, err)
	got := strings.Split(err.Error(), "\n")
	require.Len(t, got, 2, err.Error())
	assert.True(t, strings.HasPrefix(got[0], name+":6: "), got[0])
	assert.True(t, strings.HasPrefix(got[1], name+":12: "), got[1])
	assert.NotContains(t, err.Error(), "hunter2secret")
	assert.Contains(t, got[1], "REDACTED")
}

// A URL's short password ("https://bob:2@…", in a key of a secret URL or
// in a plain URL key such as discord's avatar_url) is hidden in Load's
// errors, but not in the line number after the file's name that starts
// each of their lines: that is the file's, no secret. Before, the fault
// of line 2 read "test.yaml:REDACTED: channels[0] …".
func TestURLShortPasswordLeavesLineNumbersAlone(t *testing.T) {
	for _, entry := range []string{
		"{kind: discord, name: d, webhook_url: 'https://discord.com/api/webhooks/123/Kq7vT2xN9pLmW4rZ8sYb', avatar_url: 'https://bob:2@img.example.com/a.png'}",
		"{kind: webhook, name: w, url: 'https://bob:2@hooks.example.com/x', allow_unsigned: true, bogus: 1}",
	} {
		name := filepath.Join(t.TempDir(), "test.yaml")
		_, err := config.Loader{LookupEnv: env(nil)}.Parse(strings.NewReader(lines("channels:", "  - "+entry,
			"  - {kind: console, name: x, bogus: 1}")), name)
		require.Error(t, err)
		got := strings.Split(err.Error(), "\n")
		require.Len(t, got, 2, err.Error())
		assert.True(t, strings.HasPrefix(got[0], name+":2: channels[0]"), got[0])
		assert.True(t, strings.HasPrefix(got[1], name+":3: channels[1]"), got[1])
	}
}
