package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// A status page's dir written "~/status-site" is no home directory: no
// shell reads the file to expand "~". Taken as a path relative to the file,
// it made a directory named "~" beside the file, and the site was published
// there without a word (the page's first Send creates its directory). It
// is an error naming dir and saying so, in the full form and the URL form;
// "./~/site" still names a directory called "~", and ${HOME} works.
func TestStatuspageDirInHomeRefused(t *testing.T) {
	for _, tt := range []struct{ name, entry, want string }{
		{"full form", `{kind: statuspage, dir: ~/status-site, base_url: "https://status.example.com/"}`,
			`test.yaml:2: channels[0] (statuspage "statuspage"): dir: ~/status-site: ~ is not your home directory here (no shell reads this file): write the whole path, or ${HOME}/status-site`},
		{"another user's", `{kind: statuspage, dir: ~ops/site, base_url: "https://status.example.com/"}`,
			`test.yaml:2: channels[0] (statuspage "statuspage"): dir: ~ops/site: ~ is not your home directory here`},
		{"home alone", `{kind: statuspage, dir: "~", base_url: "https://status.example.com/"}`,
			`dir: ~: ~ is not your home directory here`},
		{"URL form", `"statuspage:~/status-site?base_url=https%3A%2F%2Fstatus.example.com%2F"`,
			`dir: ~/status-site: ~ is not your home directory here`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := parseIn(dir, "channels:\n  - "+tt.entry+"\n", config.Loader{LookupEnv: env(nil)})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			_, statErr := os.Stat(filepath.Join(dir, "~"))
			assert.ErrorIs(t, statErr, os.ErrNotExist)
		})
	}
	t.Run("a directory named ~, written as one", func(t *testing.T) {
		_, err := parseIn(t.TempDir(), "channels:\n  - {kind: statuspage, dir: ./~/site, base_url: \"https://status.example.com/\"}\n",
			config.Loader{LookupEnv: env(nil)})
		assert.NoError(t, err)
	})
	t.Run("${HOME}", func(t *testing.T) {
		home := t.TempDir()
		cfg, err := parseIn(t.TempDir(), "channels:\n  - {kind: statuspage, dir: \"${HOME}/site\", base_url: \"https://status.example.com/\"}\n",
			config.Loader{LookupEnv: env(map[string]string{"HOME": home})})
		require.NoError(t, err)
		assert.Contains(t, cfg.Describe("statuspage"), filepath.Join(home, "site"))
	})
}
