package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// An error that quotes a value from the environment (a directory, a
// file's path) hides it when a channel takes it for a secret, also a
// channel after the key at fault, which Load had not built when it
// stopped.
func TestErrorHidesASecretOfALaterChannel(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hook_secret"), []byte(secret+"\n"), 0o600))
	hook := `{kind: webhook, url: "https://hooks.example.com/in", secret: "%s"}`
	for _, ref := range []string{"${file:hook_secret}", "${HOOK}"} {
		later := strings.Replace(hook, "%s", ref, 1)
		for name, file := range map[string]string{
			"templates": "templates: \"" + ref + "\"\nchannels: [" + later + "]\n",
			"ca_file": "channels:\n  - {kind: email, host: smtp.example.com, from: s@example.com, to: [a@example.com], ca_file: \"" + ref + "\"}\n" +
				"  - " + later + "\n",
			"a status page's templates": "channels:\n  - {kind: statuspage, dir: site, base_url: \"https://status.example.com/\", templates: \"" + ref + "\"}\n" +
				"  - " + later + "\n",
		} {
			t.Run(ref+" in "+name, func(t *testing.T) {
				l := config.Loader{LookupEnv: env(map[string]string{"HOOK": secret})}
				_, err := l.Parse(strings.NewReader(file), filepath.Join(dir, "outagecast.yaml"))
				require.Error(t, err)
				assert.NotContains(t, err.Error(), secret[6:])
				assert.Contains(t, err.Error(), ref, "the secret's reference stands for it")
			})
		}
	}
}

// A channel's name that holds the secret of a channel after it is
// refused, naming the secret's reference, as one that holds the secret of
// a channel before it is.
func TestNameHoldingASecretOfALaterChannelRefused(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hook_secret"), []byte(secret+"\n"), 0o600))
	for _, ref := range []string{"${file:hook_secret}", "${HOOK}"} {
		named := `{kind: console, name: "` + ref + `"}`
		hook := `{kind: webhook, url: "https://hooks.example.com/in", secret: "` + ref + `"}`
		for order, file := range map[string]string{
			"before": "channels: [" + named + ", " + hook + "]\n",
			"after":  "channels: [" + hook + ", " + named + "]\n",
		} {
			t.Run(ref+" "+order, func(t *testing.T) {
				l := config.Loader{LookupEnv: env(map[string]string{"HOOK": secret})}
				_, err := l.Parse(strings.NewReader(file), filepath.Join(dir, "outagecast.yaml"))
				require.Error(t, err)
				assert.Contains(t, err.Error(), ".name: holds "+ref+", a secret")
				assert.NotContains(t, err.Error(), secret[6:])
			})
		}
	}
}
