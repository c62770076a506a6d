//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || solaris

package statuspage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/outagecast/outagecast/internal/ctxwait"
)

// lockDir takes the exclusive flock(2) of the lock file path, waiting for
// another process that holds it until ctx ends or timeout passes. The
// lock is released by the returned func, and by the kernel when the
// process dies, so a crash never leaves the directory locked.
func lockDir(ctx context.Context, path string, timeout time.Duration) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, classify("open lock file", err)
	}
	fd := int(f.Fd())
	deadline := time.Now().Add(timeout)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() {
				_ = unix.Flock(fd, unix.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			_ = f.Close()
			return nil, classify("lock", err)
		}
		left := time.Until(deadline)
		if left <= 0 {
			_ = f.Close()
			return nil, fmt.Errorf("%w (waited %v)", errLocked, timeout)
		}
		if err := ctxwait.Sleep(ctx, min(wait, left)); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("statuspage: wait for the lock: %w", err)
		}
	}
}

// syncDir makes a directory's entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// inode returns the inode number of the file fi describes.
func inode(fi os.FileInfo) (uint64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Ino), true // not a uint64 on every system
}
