//go:build !plan9 && !windows

package statuspage

import "syscall"

// permanentErrnos are the failures, besides those of every system, that
// retrying cannot help: a read-only file system, a symbolic link loop.
var permanentErrnos = []error{syscall.EROFS, syscall.ELOOP}
