package statuspage

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/outagecast/outagecast/broadcast"
)

var (
	// errLocked is the transient error of a Send that waited
	// Config.LockTimeout for another process writing the directory.
	errLocked = errors.New("statuspage: another process is writing the directory")
	// errNotOurs marks a directory this package did not make: it is not
	// written over.
	errNotOurs = errors.New("statuspage: not a status page directory")
)

// classify wraps err, the failure of what, and marks it Permanent when
// retrying cannot help: no permission, a read-only file system, a path
// that is not a directory, state that cannot be read. Other failures (a
// full disk, an I/O error, too many open files) are transient.
func classify(what string, err error) error {
	err = fmt.Errorf("statuspage: %s: %w", what, err)
	if permanent(err) {
		return broadcast.Permanent(err)
	}
	return err
}

func permanent(err error) bool {
	for _, target := range []error{
		fs.ErrPermission, syscall.ENOTDIR, syscall.EISDIR, syscall.ENAMETOOLONG, errCorrupt, errNotOurs,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	for _, target := range permanentErrnos { // the system's own
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
