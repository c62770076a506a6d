package statuspage

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/outagecast/outagecast/broadcast"
)

// newTestChannel opens a channel on dir that waits up to a minute for the
// directory's lock: tests that write from several channels at once (see
// TestConcurrentGoroutines) queue their writes behind it, and on a loaded
// machine the default 10 s wait was exceeded; the tests of the wait itself
// set their own LockTimeout.
func newTestChannel(t *testing.T, dir string) *Channel {
	t.Helper()
	c, err := New(Config{Dir: dir, BaseURL: "https://status.example.com/", LockTimeout: time.Minute})
	require.NoError(t, err)
	return c
}

func send(t *testing.T, c *Channel, u broadcast.Update) {
	t.Helper()
	_, err := c.Send(context.Background(), broadcast.NewMessage(u))
	require.NoError(t, err, "Send of %s", u.ID)
}

// versionNames lists the entries of Dir/versions.
func versionNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, versionsName))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// Each write is a new version; current points at it, the previous one is
// kept, older ones go; files that did not change are hard links.
func TestVersions(t *testing.T) {
	dir := t.TempDir()
	c := newTestChannel(t, dir)
	for i := range 4 {
		send(t, c, ChildUpdate("v", i))
	}
	assert.Equal(t, []string{versionName(3), versionName(4)}, versionNames(t, dir))
	target, err := os.Readlink(filepath.Join(dir, currentName))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(versionsName, versionName(4), siteName), target, "a relative link")

	// Update 3 went to incident 3: incident 0's page and state did not change.
	page := filepath.Join(siteName, "incidents", pageName("v-incident-0")+".html")
	bucketFile := filepath.Join(incidentsDir, bucket("v-incident-0"))
	require.NotEqual(t, bucket("v-incident-0"), bucket("v-incident-3"), "the test needs two buckets")
	for _, rel := range []string{page, bucketFile} {
		a, err := os.Stat(filepath.Join(dir, versionsName, versionName(3), rel))
		require.NoError(t, err)
		b, err := os.Stat(filepath.Join(dir, versionsName, versionName(4), rel))
		require.NoError(t, err)
		assert.True(t, os.SameFile(a, b), "%s: a hard link to the previous version's", rel)
	}
	changed := filepath.Join(siteName, "incidents", pageName("v-incident-3")+".html")
	a, _ := os.Stat(filepath.Join(dir, versionsName, versionName(3), changed))
	b, _ := os.Stat(filepath.Join(dir, versionsName, versionName(4), changed))
	assert.False(t, a != nil && os.SameFile(a, b), "the changed page is a new file")
	assert.Positive(t, c.stats.links, "files linked")
	assert.Less(t, c.stats.files, 20, "files written by one update")
}

// A write whose ctx ends before the swap changes nothing and leaves
// nothing behind; the next write works.
func TestCancelDuringWrite(t *testing.T) {
	dir := t.TempDir()
	c := newTestChannel(t, dir)
	send(t, c, ChildUpdate("c", 0))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.hook = func(step string) {
		if step == "staged" {
			cancel()
		}
	}
	_, err := c.Send(ctx, broadcast.NewMessage(ChildUpdate("c", 1)))
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []string{versionName(1)}, versionNames(t, dir), "no new version, no staging left")
	site, err := ParseSite(dir)
	require.NoError(t, err)
	assert.NotContains(t, site.Updates(), "c-1")

	c.hook = func(string) {}
	send(t, c, ChildUpdate("c", 1))
	site, err = ParseSite(dir)
	require.NoError(t, err)
	assert.Contains(t, site.Updates(), "c-1")
}

// What a crashed writer left (a staging directory, a version never made
// current, a new link never renamed) is never served and is removed by
// the next write.
func TestLeftoversRemoved(t *testing.T) {
	dir := t.TempDir()
	c := newTestChannel(t, dir)
	send(t, c, ChildUpdate("l", 0))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, versionsName, stagingPrefix+versionName(2), siteName), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, versionsName, versionName(2), siteName), 0o755))
	require.NoError(t, os.Symlink("nowhere", filepath.Join(dir, linkPrefix+versionName(7))))
	send(t, c, ChildUpdate("l", 1))
	assert.Equal(t, []string{versionName(1), versionName(2)}, versionNames(t, dir))
	_, err := os.Lstat(filepath.Join(dir, linkPrefix+versionName(7)))
	assert.ErrorIs(t, err, fs.ErrNotExist)
	site, err := ParseSite(dir)
	require.NoError(t, err)
	assert.Len(t, site.Updates(), 2)
}

// A Channel sees what another wrote to its directory (another process,
// or another Channel): its cache is only used for the version it wrote.
func TestOtherWriter(t *testing.T) {
	dir := t.TempDir()
	a, b := newTestChannel(t, dir), newTestChannel(t, dir)
	send(t, a, ChildUpdate("o", 0))
	send(t, b, ChildUpdate("o", 1))
	send(t, a, ChildUpdate("o", 2))
	site, err := ParseSite(dir)
	require.NoError(t, err)
	assert.Len(t, site.Updates(), 3)

	// The directory wiped and written again from version 1: a's cache of
	// its own version 1 must not be taken for it.
	d2 := t.TempDir()
	a2 := newTestChannel(t, d2)
	send(t, a2, ChildUpdate("w", 0))
	require.NoError(t, os.RemoveAll(d2))
	send(t, newTestChannel(t, d2), ChildUpdate("x", 0))
	send(t, a2, ChildUpdate("w", 1))
	site, err = ParseSite(d2)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"x-0", "w-1"}, keys(site.Updates()))
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// State that cannot be read fails for good, naming the file; a current
// this package did not make is not written over.
func TestBadDirectoryIsPermanent(t *testing.T) {
	dir := t.TempDir()
	c := newTestChannel(t, dir)
	send(t, c, ChildUpdate("b", 0))
	file := filepath.Join(dir, versionsName, versionName(1), incidentsDir, bucket("b-incident-0"))
	require.NoError(t, os.WriteFile(file, []byte("{not json"), 0o644))
	_, err := newTestChannel(t, dir).Send(context.Background(), broadcast.NewMessage(ChildUpdate("b", 1)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "corrupt state: %v", err)
	assert.Contains(t, err.Error(), bucket("b-incident-0"))

	other := t.TempDir()
	require.NoError(t, os.Symlink("/var/www", filepath.Join(other, currentName)))
	_, err = newTestChannel(t, other).Send(context.Background(), broadcast.NewMessage(ChildUpdate("b", 0)))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "a foreign current: %v", err)
	target, _ := os.Readlink(filepath.Join(other, currentName))
	assert.Equal(t, "/var/www", target, "the foreign link, untouched")
}

// File system errors that retrying cannot fix are permanent; the others
// are transient.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err       error
		permanent bool
	}{
		{syscall.EROFS, true}, {syscall.EACCES, true}, {syscall.EPERM, true}, {syscall.ENOTDIR, true},
		{syscall.EISDIR, true}, {syscall.ENAMETOOLONG, true}, {syscall.ELOOP, true}, {errCorrupt, true},
		{syscall.EINVAL, true},
		{syscall.ENOSPC, false}, {syscall.EDQUOT, false}, {syscall.EIO, false}, {syscall.EMFILE, false},
		{errLocked, false},
	} {
		err := classify("write", &fs.PathError{Op: "open", Path: "/srv/status/x", Err: tc.err})
		assert.Equal(t, tc.permanent, broadcast.IsPermanent(err), "%v", tc.err)
		assert.ErrorIs(t, err, tc.err)
	}
}

// "No such file or directory" when making a directory is permanent only
// when its parent is there: a parent removed meanwhile is made again by
// the next try.
func TestRefusedOnlyUnderAParentThatIsThere(t *testing.T) {
	base := t.TempDir()
	gone := filepath.Join(base, "gone")
	notExist := func(parent string) error {
		return &fs.PathError{Op: "mkdir", Path: filepath.Join(parent, "status"), Err: syscall.ENOENT}
	}
	err := classify("create Config.Dir", refused(notExist(gone), gone))
	assert.False(t, broadcast.IsPermanent(err), "the parent is gone: %v", err)
	err = classify("create Config.Dir", refused(notExist(base), base))
	assert.True(t, broadcast.IsPermanent(err), "the parent is there: %v", err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

// Another process holding the directory: Send waits up to LockTimeout,
// then fails transiently; a ctx that ends first ends the wait.
func TestLock(t *testing.T) {
	dir := t.TempDir()
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	require.NoError(t, err)
	defer lock.Close()
	require.NoError(t, unix.Flock(int(lock.Fd()), unix.LOCK_EX))

	c, err := New(Config{Dir: dir, BaseURL: "https://s.test/", LockTimeout: 30 * time.Millisecond})
	require.NoError(t, err)
	_, err = c.Send(context.Background(), broadcast.NewMessage(ChildUpdate("k", 0)))
	require.ErrorIs(t, err, errLocked)
	assert.False(t, broadcast.IsPermanent(err))

	c.s.lockTimeout = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err = c.Send(ctx, broadcast.NewMessage(ChildUpdate("k", 0)))
	require.ErrorIs(t, err, context.DeadlineExceeded)

	require.NoError(t, unix.Flock(int(lock.Fd()), unix.LOCK_UN))
	send(t, c, ChildUpdate("k", 0))
}

// A Send waiting for another Send of the same Channel gives up when its
// ctx ends.
func TestWaitForOtherSendHonoursContext(t *testing.T) {
	c := newTestChannel(t, t.TempDir())
	c.sem <- struct{}{} // another Send holds the directory
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Send(ctx, broadcast.NewMessage(ChildUpdate("s", 0)))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	<-c.sem
	send(t, c, ChildUpdate("s", 0))
}

// An incident ID whose page name another incident has is refused, not
// merged (a hash collision, in practice never).
func TestPageNameCollision(t *testing.T) {
	st := newState(time.Time{})
	_, _, err := st.add("a", entry{ID: "1", Time: time.Now()}, time.Now())
	require.NoError(t, err)
	st.files[pageName("b")] = "someone-else"
	_, _, err = st.add("b", entry{ID: "2", Time: time.Now()}, time.Now())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "would share the page")
	assert.False(t, errors.Is(err, errCorrupt))
	assert.True(t, broadcast.IsPermanent(err), "a retry cannot change the names: %v", err)
}

// A file that changed gets a modification time at least a second after
// the one it replaces. Last-Modified, and so If-Modified-Since, counts
// whole seconds (an HTTP-date: RFC 9110, sections 5.6.7, 8.8.2 and
// 13.1.3), and servers answer 304 when the file's time, in seconds, is
// not after the date the client has (net/http's checkIfModifiedSince
// truncates to the second; nginx's default compares for equality): two
// writes in one second in an outage, with a reader or a tool polling
// summary.json between them, and that reader kept the older page until
// the next write. The test puts the first version's files a minute ahead,
// which is where the second write of the same second (or after the clock
// stepped back) stands.
func TestChangedFilesAreNewerToHTTP(t *testing.T) {
	dir := t.TempDir()
	c := newTestChannel(t, dir)
	send(t, c, ChildUpdate("m", 0))
	ahead := time.Now().Add(time.Minute).Truncate(time.Second)
	paths := []string{"index.html", "api/v2/summary.json", "history.atom", "incidents/" + pageName("m-incident-0") + ".html"}
	for _, rel := range paths {
		require.NoError(t, os.Chtimes(filepath.Join(c.Root(), filepath.FromSlash(rel)), time.Time{}, ahead))
	}
	send(t, c, ChildUpdate("m", 7)) // incident 0 again

	srv := httptest.NewServer(http.FileServer(http.Dir(c.Root())))
	defer srv.Close()
	for _, rel := range paths {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/"+rel, nil)
		require.NoError(t, err)
		req.Header.Set("If-Modified-Since", ahead.UTC().Format(http.TimeFormat))
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, "%s, changed since the client's copy", rel)
	}
}
