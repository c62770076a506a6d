package jsontime

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A time whose zone's offset has seconds comes back through encoding/json
// as the same instant; one whose offset is whole minutes keeps its zone's
// offset, as encoding/json keeps it.
func TestExact(t *testing.T) {
	for _, zone := range []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("IST", 5*3600+30*60),
		time.FixedZone("AMT", 19*60+32), time.FixedZone("LMT", -(4*3600 + 56*60 + 2)), time.FixedZone("odd", 1)} {
		in := time.Date(1930, 6, 1, 12, 0, 59, 123_456_789, zone)
		b, err := json.Marshal(Exact(in))
		require.NoError(t, err)
		var out time.Time
		require.NoError(t, json.Unmarshal(b, &out))
		assert.True(t, in.Equal(out), "%s: %v came back as %v", zone, in, out)
		if _, offset := in.Zone(); offset%60 == 0 {
			_, got := out.Zone()
			assert.Equal(t, offset, got, "%s: the offset of a zone of whole minutes is kept", zone)
		}
	}
	assert.True(t, Exact(time.Time{}).IsZero())
}

// A time whose year is within RFC 3339's, 0 to 9999, in its own zone but
// not in UTC (the first seconds of the year 0 ahead of UTC, the last of
// 9999 behind it) comes back through encoding/json as the same instant:
// in UTC, it could not be written at all ("year outside of range"), and
// a receipt that encoding/json had saved, if with its offset cut, was
// refused.
func TestExactAtTheEndsOfTheYears(t *testing.T) {
	for _, in := range []time.Time{
		time.Date(0, 1, 1, 0, 0, 10, 123_456_789, time.FixedZone("AMT", 19*60+32)),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.FixedZone("odd", 1)),
		time.Date(9999, 12, 31, 23, 59, 50, 123_456_789, time.FixedZone("LMT", -(4*3600+56*60+2))),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.FixedZone("odd", -1)),
	} {
		b, err := json.Marshal(Exact(in))
		if !assert.NoError(t, err, "%v", in) {
			continue
		}
		var out time.Time
		require.NoError(t, json.Unmarshal(b, &out))
		assert.True(t, in.Equal(out), "%v came back as %v", in, out)
	}
}
