package statuspage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	// errNoCurrent marks a directory whose current link is gone while
	// versions of its page are there: starting anew would remove them.
	errNoCurrent = errors.New("statuspage: the page's current version is not linked")
	// errNoneMade marks a file or directory the file system will not make
	// in a directory that is there (/proc says "no such file or
	// directory", for good).
	errNoneMade = errors.New("the file system makes none there")
	// errDangling marks a symbolic link to nothing where a directory is
	// to be made: mkdir does not follow it, so no retry makes it.
	errDangling = errors.New("a symbolic link")
	// errRender marks a file of the site that did not render: a
	// replaced template that fails on the page's data (New's sample
	// showed none such), which every write of that page fails alike
	// until the templates change. Its text starts the error's: "render
	// index: template: …".
	errRender = errors.New("render")
)

// mkdirAll and createTemp are os.MkdirAll and os.CreateTemp, which tests
// replace to fail as a parent removed meanwhile makes them.
var (
	mkdirAll   = os.MkdirAll
	createTemp = os.CreateTemp
)

// classify wraps err, the failure of what, and marks it Permanent when
// retrying cannot help: no permission, a read-only file system, a path
// that is not a directory, state that cannot be read, a page that does
// not render. Other failures (a full disk, an I/O error, too many open
// files) are transient.
// A name no system takes (a NUL byte: EINVAL) is permanent too.
func classify(what string, err error) error {
	err = fmt.Errorf("statuspage: %s: %w", what, err)
	if permanent(err) {
		return broadcast.Permanent(err)
	}
	return err
}

func permanent(err error) bool {
	for _, target := range []error{
		fs.ErrPermission, syscall.ENOTDIR, syscall.EISDIR, syscall.ENAMETOOLONG, syscall.EINVAL,
		errCorrupt, errNotOurs, errNoCurrent, errNoneMade, errDangling, errRender,
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

// makeDir makes dir and the directories above it. Besides what classify
// makes permanent, so are a "no such file or directory" under a parent
// that is there, of a second try (see refused), and a symbolic link to
// nothing in the way (see dangling).
func makeDir(dir string) error {
	err := mkdirAll(dir, dirMode)
	if errors.Is(err, fs.ErrNotExist) {
		// A parent removed, and made again before refused looks at it,
		// fails so too: the second try makes dir.
		err = mkdirAll(dir, dirMode)
	}
	var pe *fs.PathError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	if errors.Is(err, fs.ErrExist) {
		// MkdirAll saw no directory at pe.Path but mkdir saw something.
		return dangling(err, pe.Path)
	}
	return refused(err, filepath.Dir(pe.Path))
}

// refused marks err, a failure to make a file or directory in parent,
// errNoneMade when it says the path does not exist though parent is a
// directory: not a parent removed meanwhile, which a retry makes again,
// but a file system that makes nothing there. A parent removed and made
// again between the failure and this look is taken for such a file
// system: err must be that of a second try, the first having failed so
// too.
func refused(err error, parent string) error {
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if fi, statErr := os.Stat(parent); statErr != nil || !fi.IsDir() {
		return err
	}
	return fmt.Errorf("%w, though %s is there: %w", err, parent, errNoneMade)
}

// dangling marks err errDangling, naming the link's target, when path is
// a symbolic link to nothing.
func dangling(err error, path string) error {
	target, linkErr := os.Readlink(path)
	if linkErr != nil {
		return err
	}
	if _, statErr := os.Stat(path); !errors.Is(statErr, fs.ErrNotExist) {
		return err
	}
	return fmt.Errorf("%w: %s is %w to %s, which is not there", err, path, errDangling, target)
}
