// Package durationflag is the value of an example program's duration flag
// (-timeout, -check-timeout, -shutdown-timeout, -drain-delay): a
// time.Duration as flag.DurationVar takes it, whose error says what is
// wanted. The flag package's says only "parse error", and a number
// without a unit ("-timeout 5"), which time.ParseDuration refuses, is
// easily typed for seconds; one past what a time.Duration holds (about
// 292 years either side of zero) is refused saying that limit: "at most"
// the greatest, or "at least" the least for a negative one.
package durationflag

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/outagecast/outagecast/internal/durlimit"
)

// Value is the value of a duration flag: it prints as time.Duration does,
// and Set takes what time.ParseDuration takes. Use it as
// fs.Var((*durationflag.Value)(&d), "timeout", usage), with a `duration`
// in usage for the help to name its kind as flag.DurationVar's does.
type Value time.Duration

// String returns d as time.Duration prints it.
func (d *Value) String() string {
	if d == nil {
		return time.Duration(0).String()
	}
	return time.Duration(*d).String()
}

// Set sets d from s, a duration as time.ParseDuration takes it ("30s",
// "1h30m", "0"). A negative one is set, for the program to refuse by name.
func (d *Value) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		if _, nerr := strconv.ParseFloat(s, 64); nerr == nil {
			return errNoUnit
		}
		if wellFormed.MatchString(s) { // time.ParseDuration says "invalid duration" for both
			return errOutOfRange(s)
		}
		return errSyntax
	}
	*d = Value(v)
	return nil
}

var (
	errNoUnit = errors.New("want a duration with a unit, as 30s or 2m")
	errSyntax = errors.New("want a duration, as 30s, 2m or 1h30m")
)

// errOutOfRange is Set's error for s, well formed but too far from zero
// for a time.Duration: the limit it passes, below zero the least a
// time.Duration holds, since a negative duration is set (see Set).
func errOutOfRange(s string) error {
	words, limit := durlimit.Limit(s)
	years := "292"
	if limit < 0 {
		years = "-292"
	}
	return fmt.Errorf("want a duration of %s %v (about %s years)", words, limit, years)
}

// wellFormed matches what time.ParseDuration reads as a duration when it
// is in range: numbers, each with a unit, after an optional sign.
var wellFormed = regexp.MustCompile(`^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|\x{b5}s|\x{3bc}s|ms|s|m|h))+$`)
