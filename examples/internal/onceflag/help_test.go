package onceflag

import (
	"bytes"
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The help printed during Parse (-h, -help, a flag fs does not have, a
// value it cannot take) is the one fs.Parse prints: before, it was printed
// of the wrappers, and a switch's default showed as "(default false)", a
// string's unquoted, a duration's type as "value".
func TestParseHelpAsFlagPackage(t *testing.T) {
	newSet := func(out *bytes.Buffer, usage bool) *flag.FlagSet {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(out)
		fs.String("state", "a.db", "the state `file`")
		fs.Bool("dry-run", false, "send nothing")
		fs.Bool("on", true, "on")
		fs.Duration("timeout", 0, "how long")
		fs.Func("component", "a component", func(string) error { return nil })
		if usage {
			fs.Usage = func() { out.WriteString("custom\n"); fs.PrintDefaults() }
		}
		return fs
	}
	for _, args := range [][]string{{"-h"}, {"-help"}, {"--help"}, {"-dry-run", "-nope"}, {"-timeout", "soon"}, {"-dry-run=maybe"}} {
		for _, usage := range []bool{false, true} {
			var want, got bytes.Buffer
			wantErr := newSet(&want, usage).Parse(args)
			require.Error(t, wantErr)
			fs := newSet(&got, usage)
			err := Parse(fs, args, "component")
			require.Error(t, err)
			assert.Equal(t, wantErr.Error(), err.Error(), "%q", args)
			assert.Equal(t, want.String(), got.String(), "%q", args)
			got.Reset()
			fs.Usage()
			var again bytes.Buffer
			newSet(&again, usage).Usage()
			assert.Equal(t, again.String(), got.String(), "fs.Usage is fs's own again")
		}
	}
	// A FlagSet with no Usage at all prints as the flag package does.
	var want, got bytes.Buffer
	plain := &flag.FlagSet{}
	plain.SetOutput(&want)
	plain.Bool("dry-run", false, "send nothing")
	plain.Init("t", flag.ContinueOnError)
	require.Error(t, plain.Parse([]string{"-h"}))
	fs := &flag.FlagSet{}
	fs.SetOutput(&got)
	fs.Bool("dry-run", false, "send nothing")
	fs.Init("t", flag.ContinueOnError)
	require.Error(t, Parse(fs, []string{"-h"}))
	assert.Equal(t, want.String(), got.String())
	assert.Nil(t, fs.Usage)
}
