package statuspage_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// A Config.Dir where the site can never be written fails Send and Check
// for good at once, naming the field and the path, instead of being
// retried as if waiting could help. Before, a directory the file system
// refuses to make under a parent that is there (/proc says "no such file
// or directory"), a symbolic link to nowhere ("file exists"; Check even
// passed) and a name no system takes (a NUL byte: "invalid argument")
// were transient.
func TestUnwritableDirIsPermanent(t *testing.T) {
	base := t.TempDir()
	dangling := filepath.Join(base, "dangling")
	require.NoError(t, os.Symlink(filepath.Join(base, "nowhere", "status"), dangling))
	file := filepath.Join(base, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	cases := map[string]string{
		"a symbolic link to nowhere": dangling,
		"under such a link":          filepath.Join(dangling, "status"),
		"a NUL byte":                 filepath.Join(base, "a\x00b"),
		"under a regular file":       filepath.Join(file, "status"),
		"a regular file":             file,
		"a name longer than any":     filepath.Join(base, longName(300)),
	}
	if runtime.GOOS == "linux" {
		cases["in /proc"] = "/proc/statuspage-test/status"
		cases["under /proc"] = "/proc/statuspage-test"
	}
	for name, dir := range cases {
		t.Run(name, func(t *testing.T) {
			ch, err := statuspage.New(statuspage.Config{Dir: dir, BaseURL: "https://s.test/"})
			require.NoError(t, err)
			_, err = ch.Send(context.Background(), broadcast.NewMessage(update("a", "a1", 0, broadcast.StatusInvestigating)))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "Send: %v", err)
			assert.Contains(t, err.Error(), "Config.Dir")
			err = ch.Check(context.Background())
			require.Error(t, err, "Check")
			assert.True(t, broadcast.IsPermanent(err), "Check: %v", err)
			assert.Contains(t, err.Error(), "Config.Dir")
		})
	}
	_, err := os.Lstat(filepath.Join(base, "nowhere"))
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing made through the link")
}

func longName(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}

// The directory of the versions, inside Config.Dir, is made as Dir is: a
// symbolic link to nowhere in its place fails for good, not as a
// transient "file exists".
func TestVersionsDanglingLinkIsPermanent(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "versions")))
	ch, err := statuspage.New(statuspage.Config{Dir: dir, BaseURL: "https://s.test/"})
	require.NoError(t, err)
	_, err = ch.Send(context.Background(), broadcast.NewMessage(update("a", "a1", 0, broadcast.StatusInvestigating)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "Send: %v", err)
	assert.Contains(t, err.Error(), "versions")
}
