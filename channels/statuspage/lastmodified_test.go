package statuspage

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A burst of writes (five updates within a second in an outage) keeps
// every file of the site at or before the clock when its version is
// served, and still shows each change to a reader revalidating with
// If-Modified-Since. A changed file needs a time at least a second after
// the one it replaces; each write of the burst pushed its files a second
// further, until the files' times ran seconds into the future and a web
// server sent a Last-Modified later than its Date (RFC 9110, section
// 8.8.2.1 forbids it; caches reason wrongly from it). The write waits
// out the rest of the second instead, on the Channel's clock (a fake
// here: the test takes no time).
func TestBurstKeepsFilesNotAheadOfTheClock(t *testing.T) {
	dir := t.TempDir()
	c := newTestChannel(t, dir)
	clk := NewFakeClock(time.Date(2026, time.March, 14, 12, 0, 0, 200*int(time.Millisecond), time.UTC))
	SetFileClock(c, clk)
	var swaps int
	SetHook(c, func(step string) {
		if step != "swapped" {
			return
		}
		swaps++
		now := clk.Now()
		require.NoError(t, filepath.WalkDir(c.Root()+"/", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			fi, err := d.Info()
			if err == nil && fi.ModTime().After(now) {
				t.Errorf("write %d: %s is modified at %s, after the clock's %s", swaps, p, fi.ModTime().UTC(), now)
			}
			return err
		}))
	})

	srv := httptest.NewServer(http.FileServer(http.Dir(c.Root())))
	defer srv.Close()
	paths := []string{"index.html", "api/v2/summary.json", "history.atom", "incidents/" + pageName("b-incident-0") + ".html"}
	held := map[string]string{} // Last-Modified of the reader's copy
	for i := range 5 {
		u := ChildUpdate("b", i)
		u.IncidentID = "b-incident-0"
		send(t, c, u)
		for _, rel := range paths {
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/"+rel, nil)
			require.NoError(t, err)
			if lm := held[rel]; lm != "" {
				req.Header.Set("If-Modified-Since", lm)
			}
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode, "write %d: %s changed since the reader's copy", i+1, rel)
			held[rel] = resp.Header.Get("Last-Modified")
		}
	}
	assert.Equal(t, 5, swaps)
	for _, d := range clk.Slept() {
		assert.LessOrEqual(t, d, time.Second, "a wait longer than the rest of a second")
	}
}

// A write whose ctx ends while it waits for the clock changes nothing,
// as any other that ends before its version is current.
func TestWaitForTheClockHonoursContext(t *testing.T) {
	dir := t.TempDir()
	c := newTestChannel(t, dir)
	clk := NewFakeClock(time.Date(2026, time.March, 14, 12, 0, 0, 0, time.UTC))
	SetFileClock(c, clk)
	send(t, c, ChildUpdate("w", 0))
	before, err := readCurrent(dir)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk.OnSleep = func(ctx context.Context, d time.Duration) error {
		cancel() // the deadline passes while the write waits
		return ctx.Err()
	}
	_, err = c.Send(ctx, broadcast.NewMessage(ChildUpdate("w", 1)))
	require.ErrorIs(t, err, context.Canceled)
	assert.NotEmpty(t, clk.Slept(), "the write waited for the clock")
	after, err := readCurrent(dir)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the current version")
	entries, err := os.ReadDir(filepath.Join(dir, versionsName))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no staging directory left")

	clk.OnSleep = nil
	send(t, c, ChildUpdate("w", 1))
}

// The system clock's wait ends with ctx.
func TestSystemClockSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, systemClock{}.Sleep(ctx, time.Hour), context.Canceled)
	require.NoError(t, systemClock{}.Sleep(context.Background(), time.Millisecond))
}
