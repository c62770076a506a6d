// Package statefile checks an example program's state file (-state, or
// the configuration's state) before it is opened, so that every program
// tells a mistake in its path (exit status 2) from a file that would not
// open (damaged, or locked by another process: exit status 1) alike.
package statefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CheckDir reports a state file that cannot be made: its directory is
// missing or not a directory, or the path names a directory (the state
// file's directory given for the file). A bad flag or configuration, not
// a failed run. A missing directory named as a home directory ("~",
// "~ops"), which no shell expanded, is said to be no home directory.
func CheckDir(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory: give the state file's path, as %s", path, filepath.Join(path, "outagecast.db"))
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && tilde(dir):
		// No shell read a configuration file, or a quoted flag, to expand
		// it: "create it" would make a directory named "~".
		return fmt.Errorf("directory %s does not exist (~ is not your home directory here: write the whole path)", dir)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist (create it, or put the state file elsewhere)", dir)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// tilde reports whether a directory of path is named as a shell's home
// directory: "~" or "~user".
func tilde(path string) bool {
	for _, name := range strings.Split(filepath.ToSlash(path), "/") {
		if strings.HasPrefix(name, "~") {
			return true
		}
	}
	return false
}
