package statefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A path of "~" from a configuration file or a quoted flag, which no shell
// expanded, is not told to be created: the error says that "~" is no home
// directory here, not "create it", which would make a directory named "~".
func TestTildeIsNoHomeDirectory(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{
		filepath.Join(dir, "~", "outagecast.db"), // relative to the configuration's directory
		filepath.Join("~", "state", "outagecast.db"),
		filepath.Join(dir, "~ops", "outagecast.db"),
	} {
		err := CheckDir(path)
		if err == nil {
			t.Fatalf("%s: no error", path)
		}
		if want := "(~ is not your home directory here: write the whole path)"; !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s: %q, want it to end with %q", path, err, want)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "~"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(filepath.Join(dir, "~", "outagecast.db")); err != nil {
		t.Errorf("a directory named ~ that exists: %v", err)
	}
}

// A missing directory is one to create; one that is a file, or a path
// that is a directory, is refused too.
func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	err := CheckDir(filepath.Join(missing, "outagecast.db"))
	if want := "directory " + missing + " does not exist (create it, or put the state file elsewhere)"; err == nil || err.Error() != want {
		t.Errorf("missing directory: %v, want %q", err, want)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(filepath.Join(file, "outagecast.db")); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("a file for the directory: %v", err)
	}
	if err := CheckDir(dir); err == nil || !strings.Contains(err.Error(), "is a directory: give the state file's path") {
		t.Errorf("a directory for the file: %v", err)
	}
	if err := CheckDir(filepath.Join(dir, "outagecast.db")); err != nil {
		t.Errorf("a good path: %v", err)
	}
}
