package statuspage_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/statuspage"
)

// pageBackend is the status page as its readers see it: after every
// published version it reads the incident pages, and it remembers every
// update it saw, so that a retracted one stays, deleted.
type pageBackend struct {
	t   *testing.T
	dir string

	mu    sync.Mutex
	order []string // update IDs in the order they appeared
	posts map[string]*channeltest.Delivery
	fail  channeltest.Failure
	held  *os.File // the lock file, while FailTransient holds it
}

func newPageBackend(t *testing.T, dir string) *pageBackend {
	return &pageBackend{t: t, dir: dir, posts: map[string]*channeltest.Delivery{}}
}

// published reads the version just made current.
func (b *pageBackend) published() {
	site, err := statuspage.ParseSite(b.dir)
	if err != nil {
		b.t.Errorf("the published site: %v", err)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	updates := site.Updates()
	for id, text := range updates {
		d := b.posts[id]
		if d == nil {
			d = &channeltest.Delivery{ID: id}
			b.posts[id] = d
			b.order = append(b.order, id)
		}
		d.Text, d.Parts, d.Deleted = text, []string{text}, false
	}
	for id, d := range b.posts {
		if _, ok := updates[id]; !ok {
			d.Deleted = true
		}
	}
}

func (b *pageBackend) Received() []channeltest.Delivery {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]channeltest.Delivery, len(b.order))
	for i, id := range b.order {
		out[i] = *b.posts[id]
	}
	return out
}

// Fail makes the directory fail the way a real one does: another process
// holds its lock (transient), or Dir is a file, not a directory
// (permanent).
func (b *pageBackend) Fail(f channeltest.Failure) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.restore()
	switch f {
	case channeltest.FailTransient:
		require.NoError(b.t, os.MkdirAll(b.dir, 0o755))
		lock, err := os.OpenFile(filepath.Join(b.dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o644)
		require.NoError(b.t, err)
		require.NoError(b.t, unix.Flock(int(lock.Fd()), unix.LOCK_EX))
		b.held = lock
	case channeltest.FailRejected:
		require.NoError(b.t, os.MkdirAll(b.dir, 0o755))
		require.NoError(b.t, os.Rename(b.dir, b.dir+".away"))
		require.NoError(b.t, os.WriteFile(b.dir, []byte("not a directory"), 0o644))
	}
	b.fail = f
}

func (b *pageBackend) restore() {
	switch b.fail {
	case channeltest.FailTransient:
		_ = b.held.Close() // releases the flock
		b.held = nil
	case channeltest.FailRejected:
		require.NoError(b.t, os.Remove(b.dir))
		require.NoError(b.t, os.Rename(b.dir+".away", b.dir))
	}
	b.fail = channeltest.FailNone
}

func newConformanceChannel(t *testing.T) (broadcast.Channel, channeltest.Backend) {
	be := newPageBackend(t, filepath.Join(t.TempDir(), "status"))
	t.Cleanup(func() { be.Fail(channeltest.FailNone) })
	return reopenConformanceChannel(t, be), be
}

// reopenConformanceChannel is the conformance channel on be's directory,
// telling be of each version it publishes; as Harness.Reopen, the
// channel of a new process.
func reopenConformanceChannel(t *testing.T, be channeltest.Backend) broadcast.Channel {
	pb := be.(*pageBackend)
	ch, err := statuspage.New(statuspage.Config{
		Dir: pb.dir, BaseURL: "https://status.test/",
		LockTimeout: 50 * time.Millisecond, // the lock held by FailTransient
	})
	require.NoError(t, err)
	statuspage.SetHook(ch, func(step string) {
		if step == "swapped" {
			pb.published()
		}
	})
	return ch
}

func TestConformance(t *testing.T) {
	channeltest.Run(t, channeltest.Harness{
		New:    newConformanceChannel,
		Reopen: reopenConformanceChannel,
		Config: statuspage.Config{Dir: "/srv/status", BaseURL: "https://status.test/",
			Branding: statuspage.Branding{Title: "Example Status"}},
		// The incident page is the thread: the page groups updates by
		// IncidentID itself and ignores Message.Thread.
		ThreadsTo: channeltest.Unthreaded,
		Failures:  []channeltest.Failure{channeltest.FailTransient, channeltest.FailRejected},
	})
}
