// Package jsontime keeps a time.Time's instant through encoding/json.
// RFC 3339, which encoding/json writes a time in, has no seconds in a
// zone's offset: a time whose zone's offset has them (local mean time, as
// time.LoadLocation gives before a zone's standard time: Amsterdam's
// +00:19:32 until 1937; time.FixedZone("", 3600+30)) is written with its
// offset cut to the minute, and reads back as another instant, up to 59
// seconds away. broadcast/pgstore (its receipts) and dispatch (its jobs'
// updates, and the receipts their output keeps) share it.
package jsontime

import "time"

// Exact returns t in UTC when its zone's offset has seconds, which
// encoding/json would cut, and t as it is otherwise: either way, encoded
// and decoded, it comes back as the same instant, to the nanosecond. A t
// whose year is 0 to 9999 (RFC 3339's) but not in UTC (the first seconds
// of the year 0 ahead of UTC, the last of 9999 behind it) is returned in
// its offset rounded away from zero to the minute instead, which keeps
// its year.
func Exact(t time.Time) time.Time {
	_, offset := t.Zone()
	if offset%60 == 0 {
		return t
	}
	if u := t.UTC(); u.Year() >= 0 && u.Year() <= 9999 {
		return u
	}
	// Its clock moved the way of its offset, less than a minute: the
	// year's start later, its end earlier.
	whole := offset / 60 * 60
	if offset > 0 {
		whole += 60
	} else {
		whole -= 60
	}
	return t.In(time.FixedZone("", whole))
}
