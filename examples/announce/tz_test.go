package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A TZ that names no known time zone makes Go's local time UTC without a
// word: -next 14:30, a local clock time, would promise the next update
// hours off. It is refused, naming TZ; the forms that do not depend on the
// zone are unaffected.
func TestUnknownTZRefusesALocalClockTime(t *testing.T) {
	t.Setenv("TZ", "Europe/Berlinn")
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC) // what Go falls back to
	r := clockedRun(t, &now, "-title", "T", "-status", "investigating", "-next", "14:30")
	assert.Equal(t, exitUsage, r.code, r.stdout)
	assert.Contains(t, r.stderr, `announce: -next: "14:30" is a local clock time, but TZ="Europe/Berlinn" names no time zone known here`)
	assert.Empty(t, r.stdout, "nothing sent")

	for _, next := range []string{"+30m", "2025-03-10T18:00:00Z"} {
		r = clockedRun(t, &now, "-title", "T", "-status", "investigating", "-next", next)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.NotContains(t, r.stderr, "TZ")
	}
}

// A TZ that loads (or none, or UTC) leaves a clock time alone.
func TestKnownTZTakesALocalClockTime(t *testing.T) {
	for _, tz := range []string{"UTC", ":UTC", ""} {
		t.Setenv("TZ", tz)
		now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
		r := clockedRun(t, &now, "-title", "T", "-status", "investigating", "-next", "14:30")
		require.Equal(t, exitOK, r.code, tz+": "+r.stderr)
		assert.Contains(t, r.stdout, "14:30 UTC")
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database")
	}
	t.Setenv("TZ", "Europe/Berlin")
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, berlin)
	r := clockedRun(t, &now, "-title", "T", "-status", "investigating", "-next", "14:30")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "13:30 UTC")
}

// A TZ in the POSIX form of UTC, a zone name and the offset 0 without
// summer time ("UTC0", as scripts set it), names no file Go loads, and Go
// takes local time as UTC: which that TZ means, so a clock time is taken.
// Before, it was refused as a zone not known here. One of another offset
// ("CET-1"), which Go takes as UTC too, is refused still.
func TestPOSIXUTCTakesALocalClockTime(t *testing.T) {
	for _, tz := range []string{"UTC0", "GMT+0", "UTC-00", "<+00>0", "UTC0:00", "UTC0:00:00"} {
		t.Setenv("TZ", tz)
		now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC) // what Go falls back to
		r := clockedRun(t, &now, "-title", "T", "-status", "investigating", "-next", "14:30")
		require.Equal(t, exitOK, r.code, tz+": "+r.stderr)
		assert.Contains(t, r.stdout, "14:30 UTC", tz)
	}
	for _, tz := range []string{"CET-1", "UTC0CEST", "CET-1CEST,M3.5.0,M10.5.0/3", "UT0", "UTC1:00"} {
		t.Setenv("TZ", tz)
		now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
		r := clockedRun(t, &now, "-title", "T", "-status", "investigating", "-next", "14:30")
		assert.Equal(t, exitUsage, r.code, tz)
		assert.Contains(t, r.stderr, "names no time zone known here", tz)
	}
}

// A TZ of UTC in the POSIX form after a ":" (":UTC0") is UTC too: the
// GNU C Library ignores the ":" and reads the rest as it would without it
// (glibc manual, "Specifying the Time Zone with TZ"), as Go does, which
// loads no zone "UTC0" and takes local time as UTC. Before, it was
// refused as a zone not known here, where ":UTC" was taken.
func TestPOSIXUTCAfterAColonTakesALocalClockTime(t *testing.T) {
	for _, tz := range []string{":UTC0", ":GMT+0", ":<+00>0"} {
		t.Setenv("TZ", tz)
		now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
		r := clockedRun(t, &now, "-title", "T", "-status", "investigating", "-next", "14:30")
		require.Equal(t, exitOK, r.code, tz+": "+r.stderr)
		assert.Contains(t, r.stdout, "14:30 UTC", tz)
	}
	t.Setenv("TZ", ":CET-1")
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	r := clockedRun(t, &now, "-title", "T", "-status", "investigating", "-next", "14:30")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "names no time zone known here")
}

// Go's tzset reads the hours of a POSIX TZ's offset with any number of
// digits, and its minutes and seconds with one digit or more: "UTC000" and
// "UTC0:0" mean UTC as "UTC0" does, and are taken. Before, the hours had
// to be one or two digits and the minutes two, and these were refused.
// What Go's tzset refuses, or reads as another offset, is refused still,
// naming TZ.
func TestPOSIXUTCOffsetDigitsAsGoReadsThem(t *testing.T) {
	for _, tz := range []string{"UTC000", "UTC0:0", "UTC+000:0:0", "GMT-0:000", "<UTC>00:00:0"} {
		t.Setenv("TZ", tz)
		now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
		r := clockedRun(t, &now, "-title", "T", "-status", "investigating", "-next", "14:30")
		require.Equal(t, exitOK, r.code, tz+": "+r.stderr)
		assert.Contains(t, r.stdout, "14:30 UTC", tz)
	}
	for _, tz := range []string{"UTC0:", "UTC0::0", "UTC001", "UTC0:01", "UTC0:0:1", "UTC", "UT00"} {
		t.Setenv("TZ", tz)
		now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
		r := clockedRun(t, &now, "-title", "T", "-status", "investigating", "-next", "14:30")
		if tz == "UTC" {
			require.Equal(t, exitOK, r.code, r.stderr) // Go's own UTC
			continue
		}
		assert.Equal(t, exitUsage, r.code, tz)
		assert.Contains(t, r.stderr, `TZ="`+tz+`" names no time zone known here`, tz)
	}
}
