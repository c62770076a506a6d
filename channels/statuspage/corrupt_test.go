package statuspage

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// State files that decode but do not hold what this package writes (a
// null where a record stands, a component feed named outside
// components/, an update without an ID) are corrupt: Send fails
// permanently naming the file by its whole path, never panics, and never writes a file
// outside the site.
func TestDamagedStateIsCorruptNotAPanic(t *testing.T) {
	bucketOf := bucket("b-incident-0")
	for _, tc := range []struct {
		name, file, from, to string
	}{
		{"a null retraction", stateFile, `"retractions":[`, `"retractions":[null,`},
		{"a null component", stateFile, `"components":[`, `"components":[null,`},
		{"a feed outside components/", stateFile, `"feed":"api"`, `"feed":"../../../../x"`},
		{"a null incident", incidentsDir + "/" + bucketOf, "[", "[null,"},
		{"a null update", incidentsDir + "/" + bucketOf, `"updates":[`, `"updates":[null,`},
		{"an update without an ID", incidentsDir + "/" + bucketOf, `"id":"b-7"`, `"id":""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := newTestChannel(t, dir)
			u := ChildUpdate("b", 0)
			u.Components = []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded}}
			send(t, c, u)
			require.NoError(t, c.Retract(context.Background(), broadcast.Receipt{ID: u.ID}))
			send(t, c, ChildUpdate("b", 7)) // incident 0 again
			file := filepath.Join(dir, versionsName, versionName(3), filepath.FromSlash(tc.file))
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			require.Contains(t, string(data), tc.from)
			require.NoError(t, os.Remove(file)) // a hard link: leave the other versions alone
			require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(data), tc.from, tc.to, 1)), 0o644))

			var sendErr error
			require.NotPanics(t, func() {
				_, sendErr = newTestChannel(t, dir).Send(context.Background(), broadcast.NewMessage(ChildUpdate("b", 2)))
			})
			require.Error(t, sendErr)
			assert.True(t, broadcast.IsPermanent(sendErr), "%v", sendErr)
			assert.ErrorIs(t, sendErr, errCorrupt)
			// The whole path: the operator finds the file without knowing
			// the layout of Config.Dir.
			assert.Contains(t, sendErr.Error(), file+": ")
			_, err = os.Stat(filepath.Join(dir, "x.atom"))
			assert.ErrorIs(t, err, os.ErrNotExist, "nothing written outside the site")
			assert.Equal(t, 1, strings.Count(sendErr.Error(), "statuspage: "), "%v", sendErr)

			// A start-up check finds what every Send would fail on.
			checkErr := newTestChannel(t, dir).Check(context.Background())
			require.Error(t, checkErr)
			assert.True(t, broadcast.IsPermanent(checkErr), "%v", checkErr)
			assert.ErrorIs(t, checkErr, errCorrupt)
			assert.Contains(t, checkErr.Error(), "Config.Dir")
			assert.Contains(t, checkErr.Error(), file+": ")
		})
	}
}

// A version without its state file (removed by hand, or a version
// directory gone) cannot be read now or on a retry: the failure is
// permanent, as for a damaged file, and names the file.
func TestMissingStateIsPermanent(t *testing.T) {
	for _, tc := range []struct {
		name   string
		remove func(dir string) error
	}{
		{"state.json", func(dir string) error {
			return os.Remove(filepath.Join(dir, versionsName, versionName(1), stateFile))
		}},
		{"the version", func(dir string) error {
			return os.RemoveAll(filepath.Join(dir, versionsName, versionName(1)))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			send(t, newTestChannel(t, dir), ChildUpdate("m", 0))
			require.NoError(t, tc.remove(dir))
			_, err := newTestChannel(t, dir).Send(context.Background(), broadcast.NewMessage(ChildUpdate("m", 1)))
			require.Error(t, err)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), filepath.Join(dir, versionsName, versionName(1), stateFile)+": missing")
		})
	}
}
