//go:build unix

package config_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/config"
)

// ${file:PATH} reads only a regular file (after symlinks, as Kubernetes
// mounts secrets): opening a named pipe blocks until a writer comes, so
// Load would hang, and a device (/dev/zero) never ends. The error names
// the key and the path.
func TestSecretFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
	require.NoError(t, os.Symlink("fifo", filepath.Join(dir, "link-to-fifo")))
	writeFile(t, dir, "token", secret+"\n")
	require.NoError(t, os.Symlink("token", filepath.Join(dir, "link-to-token")))
	tests := []struct{ path, want string }{
		{"fifo", "${file:fifo}: " + filepath.Join(dir, "fifo") + " is not a regular file (a named pipe)"},
		{"link-to-fifo", "${file:link-to-fifo}: " + filepath.Join(dir, "link-to-fifo") + " is not a regular file (a named pipe)"},
		{"/dev/null", "${file:/dev/null}: /dev/null is not a regular file (a device)"},
		{"link-to-token", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := parseIn(dir, lines("channels:", "  - kind: webhook", "    url: https://h.example.com/in",
				"    secret: ${file:"+tt.path+"}"), config.Loader{LookupEnv: env(nil)})
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, filepath.Join(dir, "test.yaml")+":4: channels[0].secret: "+tt.want)
		})
	}
}

// ca_file, client_cert and client_key are read the same way.
func TestCertificateFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
	writeCert(t, dir, "bot")
	base := lines("channels:", "  - kind: irc", "    server: irc.example.com:6697", "    nick: status", "    channels: ['#ops']")
	for _, c := range []struct{ lines, want string }{
		{"    ca_file: fifo\n", ":6: channels[0] (irc \"irc\"): ca_file: " + filepath.Join(dir, "fifo") + " is not a regular file (a named pipe)"},
		{"    client_cert: fifo\n    client_key: bot.key\n", ":6: channels[0] (irc \"irc\"): client_cert: " + filepath.Join(dir, "fifo") + " is not a regular file"},
		{"    client_cert: bot.pem\n    client_key: fifo\n", ":7: channels[0] (irc \"irc\"): client_key: " + filepath.Join(dir, "fifo") + " is not a regular file"},
	} {
		_, err := parseIn(dir, base+c.lines, config.Loader{LookupEnv: env(nil)})
		assert.ErrorContains(t, err, c.want, c.lines)
	}
}
