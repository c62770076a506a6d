// Package regfile reads files that must be regular files of a bounded
// size: a secret, a certificate, a template. Anything else is refused
// before it is opened: opening a named pipe blocks until a writer comes, a
// device may never end, and a directory holds no content.
package regfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ReadFile returns the content of the regular file at path (symbolic links
// followed), at most limit bytes. Its errors name the path, never the
// content.
func ReadFile(path string, limit int64) ([]byte, error) {
	return read(path, limit, func() (fs.FileInfo, error) { return os.Stat(path) },
		func() (fs.File, error) { return os.Open(path) })
}

// Read is ReadFile for the file name in fsys. It is refused before it is
// opened where fsys implements fs.StatFS (os.DirFS does, following
// symbolic links); other file systems are opened to learn what name is.
func Read(fsys fs.FS, name string, limit int64) ([]byte, error) {
	return read(name, limit, func() (fs.FileInfo, error) { return fs.Stat(fsys, name) },
		func() (fs.File, error) { return fsys.Open(name) })
}

func read(name string, limit int64, stat func() (fs.FileInfo, error), open func() (fs.File, error)) ([]byte, error) {
	st, err := stat()
	if err != nil {
		return nil, err
	}
	if err := regular(name, st); err != nil {
		return nil, err
	}
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := regular(name, st); err != nil { // replaced since stat
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	switch {
	case err != nil:
		return nil, err
	case int64(len(data)) > limit:
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return data, nil
}

// regular returns an error saying what name is unless st, its FileInfo,
// is a regular file's.
func regular(name string, st fs.FileInfo) error {
	m := st.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "a special file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%s is not a regular file (%s)", name, what)
}
