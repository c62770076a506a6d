package config

import (
	"fmt"
	"slices"
	"strconv"
)

// fault is one fault of a configuration file: what is wrong (err) and
// where, the file's name and the line, 0 for a fault of the whole file.
// Its text is "file:line: err", or "file: err" without a line, the form
// of every error Load returns about a file; joinFaults orders a file's
// faults by their lines.
type fault struct {
	file string
	line int
	err  error
}

// faultf returns the fault of file at line, what is wrong formatted as
// fmt.Errorf formats it (%w wraps an error, which the fault unwraps to).
func faultf(file string, line int, format string, args ...any) error {
	return &fault{file: file, line: line, err: fmt.Errorf(format, args...)}
}

func (f *fault) Error() string {
	if f.line == 0 {
		return f.file + ": " + f.err.Error()
	}
	return f.file + ":" + strconv.Itoa(f.line) + ": " + f.err.Error()
}

func (f *fault) Unwrap() error { return f.err }

// lineOfFault returns the line of err, a fault; 0 for a fault of no line
// or an error that is no fault.
func lineOfFault(err error) int {
	if f, ok := err.(*fault); ok {
		return f.line
	}
	return 0
}

// joinFaults is joinBounded of faults, each a fault of the one file, in
// the order of their lines (those of one line in the order given): the
// faults of the file's checks, each made in a walk of its own, in file
// order.
func joinFaults(faults []error) error {
	sorted := slices.Clone(faults)
	slices.SortStableFunc(sorted, func(a, b error) int { return lineOfFault(a) - lineOfFault(b) })
	return joinBounded(sorted)
}

// atLine returns err, a fault, at line instead; any other error as it is.
func atLine(err error, line int) error {
	if f, ok := err.(*fault); ok {
		return &fault{file: f.file, line: line, err: f.err}
	}
	return err
}
