package durationflag

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A value is refused saying what is wanted, with a unit for a number
// without one, where flag.DurationVar says only "parse error"; one
// time.ParseDuration takes is set as flag.DurationVar sets it.
func TestSet(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30s", 30 * time.Second, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"0", 0, ""},
		{"-5s", -5 * time.Second, ""},
		{"5", 0, `invalid value "5" for flag -timeout: want a duration with a unit, as 30s or 2m`},
		{"1.5", 0, `invalid value "1.5" for flag -timeout: want a duration with a unit, as 30s or 2m`},
		{"5 min", 0, `invalid value "5 min" for flag -timeout: want a duration, as 30s, 2m or 1h30m`},
		{"soon", 0, `invalid value "soon" for flag -timeout: want a duration, as 30s, 2m or 1h30m`},
		// Well formed but past what a duration holds: the error says the
		// limit, not that the value is no duration.
		{"2562048h", 0, `invalid value "2562048h" for flag -timeout: want a duration of at most 2562047h47m16s (about 292 years)`},
		{"9999999999h", 0, `invalid value "9999999999h" for flag -timeout: want a duration of at most 2562047h47m16s (about 292 years)`},
		{"1h99999999999999999999s", 0, `invalid value "1h99999999999999999999s" for flag -timeout: want a duration of at most 2562047h47m16s (about 292 years)`},
		// Past it below zero: the lower limit, not "at most".
		{"-2562048h", 0, `invalid value "-2562048h" for flag -timeout: want a duration of at least -2562047h47m16s (about -292 years)`},
		{"-1h99999999999999999999s", 0, `invalid value "-1h99999999999999999999s" for flag -timeout: want a duration of at least -2562047h47m16s (about -292 years)`},
		{"+2562048h", 0, `invalid value "+2562048h" for flag -timeout: want a duration of at most 2562047h47m16s (about 292 years)`},
		{"-2562047h", -2562047 * time.Hour, ""},
		{"2562047h", 2562047 * time.Hour, ""},
		{"1.5.5h", 0, `invalid value "1.5.5h" for flag -timeout: want a duration, as 30s, 2m or 1h30m`},
		{"5hh", 0, `invalid value "5hh" for flag -timeout: want a duration, as 30s, 2m or 1h30m`},
		{".h", 0, `invalid value ".h" for flag -timeout: want a duration, as 30s, 2m or 1h30m`},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var d time.Duration
		fs.Var((*Value)(&d), "timeout", "give up after this `duration`")
		err := fs.Parse([]string{"-timeout", tt.in})
		if tt.err != "" {
			assert.EqualError(t, err, tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, d, tt.in)
		// As flag.DurationVar would have set it.
		var std time.Duration
		std2 := flag.NewFlagSet("std", flag.ContinueOnError)
		std2.DurationVar(&std, "timeout", 0, "")
		require.NoError(t, std2.Parse([]string{"-timeout", tt.in}))
		assert.Equal(t, std, d, tt.in)
	}
}

// The help prints the flag as flag.DurationVar's: its kind, and a default
// as time.Duration prints it, none for 0.
func TestHelpAsDurationVar(t *testing.T) {
	help := func(def time.Duration, custom bool) string {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		var out strings.Builder
		fs.SetOutput(&out)
		if custom {
			d := def
			fs.Var((*Value)(&d), "timeout", "give up after this `duration`")
		} else {
			var d time.Duration
			fs.DurationVar(&d, "timeout", def, "give up after this `duration`")
		}
		fs.PrintDefaults()
		return out.String()
	}
	for _, def := range []time.Duration{0, time.Minute, 90 * time.Second} {
		assert.Equal(t, help(def, false), help(def, true), "%v", def)
	}
}
