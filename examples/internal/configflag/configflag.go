// Package configflag names the -config flag in the example programs'
// errors of reading the configuration file: "-config: open
// outagecast.yaml: no such file or directory", not "read config: …",
// which leaves a user to guess which of the command line's paths is meant.
package configflag

import (
	"strings"

	"github.com/outagecast/outagecast/config"
)

// readPrefix starts config.Loader.Load's errors of reading the file, as
// opposed to those of its content, which name the file and line.
const readPrefix = "read config: "

// Load is l.Load(path), with an error of reading the file said as one of
// -config.
func Load(l config.Loader, path string) (*config.File, error) {
	f, err := l.Load(path)
	if err != nil && strings.HasPrefix(err.Error(), readPrefix) {
		return nil, flagError{err}
	}
	return f, err
}

// flagError is an error of reading -config's file.
type flagError struct{ err error }

func (e flagError) Error() string { return "-config: " + strings.TrimPrefix(e.err.Error(), readPrefix) }

func (e flagError) Unwrap() error { return e.err }
