//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || solaris)

package statuspage

import (
	"context"
	"os"
	"time"
)

// lockDir does nothing here: without flock(2), only the Channel's own
// mutex serializes writes, so only one process may write a directory.
func lockDir(context.Context, string, time.Duration) (func(), error) {
	return func() {}, nil
}

// syncDir does nothing: directories cannot be synced here.
func syncDir(string) error { return nil }

// inode reports false: file identities are not recorded here, so a
// Channel trusts only the files it wrote itself (see manifest).
func inode(os.FileInfo) (uint64, bool) { return 0, false }
