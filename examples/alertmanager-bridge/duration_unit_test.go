package main

import (
	"io"
	"testing"

	"github.com/outagecast/outagecast/examples/internal/durationflag/durationflagtest"
)

// A duration flag given a number without a unit says what is wanted,
// where the flag package said only "parse error"; the help still names
// the flags' kind and defaults.
func TestDurationFlagWithoutUnit(t *testing.T) {
	durationflagtest.CheckWithoutUnit(t, func(args []string, out io.Writer) error {
		_, err := parseFlags(args, out)
		return err
	}, []string{"timeout", "check-timeout"},
		[]string{"-timeout duration", "(default 1m0s)", "-check-timeout duration", "(default 10s)"})
}
