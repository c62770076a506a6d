//go:build linux

package statuspage

import (
	"io/fs"
	"path/filepath"
	"testing"
)

// The files and directories the channel makes take the modes the
// process's umask allows, as the tools that make files do: with a umask
// of 002, they are writable by the group, so that processes of the
// group's users (a server, and an operator's command) can write one
// directory, taking turns at its lock. Before, the modes were 0644 and
// 0755 whatever the umask, and another user of the group could not take
// the lock nor add a version.
func TestModesFollowTheUmask(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "status")
	if out, err := child(t, "umask:002", dir).CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o664)
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return nil
		case fi.IsDir():
			want = 0o775
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("only %d files and directories under %s", n, dir)
	}
}
