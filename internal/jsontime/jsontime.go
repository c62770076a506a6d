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
// and decoded, it comes back as the same instant, to the nanosecond.
func Exact(t time.Time) time.Time {
	if _, offset := t.Zone(); offset%60 != 0 {
		return t.UTC()
	}
	return t
}
