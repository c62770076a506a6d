package pgstore_test

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// PostgreSQL's timestamps, in microseconds since 2000-01-01 UTC: from
// MIN_TIMESTAMP (4714-11-24 BC) to END_TIMESTAMP (294277-01-01), which
// timestamptz_recv refuses a value outside of ("timestamp out of range");
// DT_NOBEGIN and DT_NOEND are -infinity and infinity (src/include/datatype/timestamp.h).
const (
	pgMinTimestamp = -211813488000000000
	pgEndTimestamp = 9223371331200000000
)

var y2k = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// sentSide reports which side of every row's stamp (a time between a year
// before now and a year after it) the server reads Prune's argument for
// cutoff on: -1 before, +1 after, 0 for a time within those years, and
// that time (zero for the others); it fails t when the server would
// refuse the argument.
func sentSide(t *testing.T, cutoff time.Time) (side int, at time.Time) {
	t.Helper()
	b, err := pgtype.NewMap().Encode(pgtype.TimestamptzOID, pgtype.BinaryFormatCode, pgstore.PruneCutoff(cutoff), nil)
	require.NoError(t, err, "encode %v", cutoff)
	require.Len(t, b, 8)
	us := int64(binary.BigEndian.Uint64(b))
	switch {
	case us == math.MinInt64:
		return -1, time.Time{}
	case us == math.MaxInt64:
		return 1, time.Time{}
	case us < pgMinTimestamp || us >= pgEndTimestamp:
		t.Errorf("cutoff %v reached the server as %d µs since 2000, out of its range: refused", cutoff, us)
		return 0, time.Time{}
	}
	// Within ±292 years of 2000 a Duration holds it; past them, it is
	// well beyond a year from now.
	const span = int64(math.MaxInt64 / int64(time.Microsecond))
	switch {
	case us < -span:
		return -1, time.Time{}
	case us > span:
		return 1, time.Time{}
	}
	at = y2k.Add(time.Duration(us) * time.Microsecond)
	now := time.Now()
	switch {
	case at.Before(now.AddDate(-1, 0, 0)):
		return -1, at
	case at.After(now.AddDate(1, 0, 0)):
		return 1, at
	}
	return 0, at
}

// Prune's cutoff reaches the server on the side of every row's stamp (the
// server's now() when the row was written) it was given on: pgx counts a
// time's microseconds in an int64, which overflows some 292,000 years
// from 1970, and a cutoff of the year -300000 (remove nothing) reached
// the server as one of the year 284000, after every row's stamp: Prune
// removed everything. Others reached it out of its range, and it refused
// them ("timestamp out of range").
func TestPruneCutoffKeepsItsSide(t *testing.T) {
	for _, behind := range []time.Time{
		{}, time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-4713, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-300000, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(-1<<62, 0),
	} {
		side, _ := sentSide(t, behind)
		assert.Equal(t, -1, side, "cutoff %v: not before every row's stamp on the server", behind)
	}
	for _, ahead := range []time.Time{
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(294300, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1000000, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(1<<62, 0),
	} {
		side, _ := sentSide(t, ahead)
		assert.Equal(t, 1, side, "cutoff %v: not after every row's stamp on the server", ahead)
	}
	// An ordinary cutoff is sent as it is, to the microsecond.
	c := time.Now().Add(-30 * 24 * time.Hour)
	side, at := sentSide(t, c)
	assert.Zero(t, side)
	assert.True(t, at.Equal(c.Truncate(time.Microsecond)), "cutoff %v reached the server as %v", c, at)
}
