// Package durationflag is the value of an example program's duration flag
// (-timeout, -check-timeout, -shutdown-timeout, -drain-delay): a
// time.Duration as flag.DurationVar takes it, whose error says what is
// wanted. The flag package's says only "parse error", and a number
// without a unit ("-timeout 5"), which time.ParseDuration refuses, is
// easily typed for seconds.
package durationflag

import (
	"errors"
	"strconv"
	"time"
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
		return errSyntax
	}
	*d = Value(v)
	return nil
}

var (
	errNoUnit = errors.New("want a duration with a unit, as 30s or 2m")
	errSyntax = errors.New("want a duration, as 30s, 2m or 1h30m")
)
