//go:build integration

package pgstore_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// dropper is a TCP proxy to PostgreSQL that, when armed, lets a statement
// commit, runs hook, then drops the connection instead of forwarding the
// server's answer: the client sees a lost connection (io.EOF) for a
// statement that committed — what a failover or a network cut after commit
// looks like.
type dropper struct {
	match atomic.Pointer[[]byte]
	hook  func()
	wg    sync.WaitGroup
}

func newDropper(t *testing.T, dsn string) (*dropper, string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	target := u.Host
	u.Host = ln.Addr().String()
	d := &dropper{}
	var mu sync.Mutex
	var conns []net.Conn
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, s)
			mu.Unlock()
			d.wg.Add(2)
			go func() { defer d.wg.Done(); io.Copy(s, c); s.Close() }()
			go func() {
				defer d.wg.Done()
				defer c.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := s.Read(buf)
					if n > 0 {
						if m := d.match.Load(); m != nil && bytes.Contains(buf[:n], *m) && d.match.CompareAndSwap(m, nil) {
							if d.hook != nil {
								d.hook()
							}
							s.Close()
							return
						}
						if _, werr := c.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		d.wg.Wait()
	})
	return d, u.String()
}

func (d *dropper) arm(tag string, hook func()) {
	d.hook = hook
	b := []byte(tag)
	d.match.Store(&b)
}

// throughDropper returns a dropper in front of a new, migrated schema, a
// Store connected through it, and one connected directly (another
// instance).
func throughDropper(t *testing.T) (*dropper, *pgstore.Store, *pgstore.Store) {
	t.Helper()
	dsn := newSchema(t)
	d, proxied := newDropper(t, dsn)
	direct := migratedOn(t, dsn)
	a, err := pgstore.New(context.Background(), connect(t, proxied))
	require.NoError(t, err)
	return d, a, direct
}

// SaveReceipt's statement commits, and its answer is lost with the
// connection; meanwhile another instance (whose lock went with the broken
// connection) saves the receipt of a newer update. SaveReceipt must not run
// its statement again, which would set the thread's latest post back to
// the older one: it fails (the Broadcaster reports ErrNotRecorded).
func TestSaveReceiptAnswerLostIsNotRunAgain(t *testing.T) {
	ctx := context.Background()
	d, a, other := throughDropper(t)

	d.arm("INSERT 0 1\x00Z", func() {
		require.NoError(t, other.SaveReceipt(ctx, "i1", "u2",
			broadcast.Receipt{Channel: "x", ID: "post-2", UpdateID: "u2", Time: time.Now()}))
	})
	err := a.SaveReceipt(ctx, "i1", "u1", broadcast.Receipt{Channel: "x", ID: "post-1", UpdateID: "u1", Time: time.Now()})
	assert.Error(t, err, "whether it was saved is not known")
	th, err := other.Thread(ctx, "i1", "x")
	require.NoError(t, err)
	assert.Equal(t, "post-2", th.Last.ID, "the thread's latest post after the newer update was saved")
}

// Prune's DELETE commits, and its answer is lost: a second run would
// delete nothing and report 0 for what was deleted. Prune fails instead.
func TestPruneAnswerLostIsNotRunAgain(t *testing.T) {
	ctx := context.Background()
	d, a, _ := throughDropper(t)
	require.NoError(t, a.Mark(ctx, "u1", "x", "", nil))
	require.NoError(t, a.Mark(ctx, "u2", "x", "", nil))

	d.arm("DELETE 2\x00", nil)
	n, err := a.Prune(ctx, time.Now().Add(time.Hour))
	if err == nil {
		assert.Equal(t, int64(2), n, "rows pruned")
	}
}
