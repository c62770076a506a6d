package dispatch

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// idConfig is a Config that New takes, without a server.
func idConfig(t *testing.T) Config {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), "postgres://outagecast@127.0.0.1:1/none?sslmode=disable&pool_max_conns=5")
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
		func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
		broadcast.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return Config{Pool: pool, Broadcaster: b, Store: broadcast.NewMemoryStore(), Workers: 1}
}

// Two Dispatchers whose River clients would get the same default ID (one
// host name, started in the same microsecond; or two of one process) get
// different IDs: the Stop of one would otherwise make the other's running
// jobs available again. Before, River's default was their ID.
func TestClientIDsDifferForTheSameHostAndTime(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	host := strings.Repeat("outagecast-worker-", 4) // cut to the same 60 bytes as any of its longer names
	base := clientBase(host, at)
	require.Equal(t, clientBase(host+"-7f9c", at), base)
	seen := map[string]bool{}
	for range 2 {
		d, err := newDispatcher(idConfig(t), base)
		require.NoError(t, err)
		id := d.client.ID()
		assert.True(t, strings.HasPrefix(id, base+"_"), id)
		assert.LessOrEqual(t, len(id), maxClientID)
		assert.False(t, seen[id], "ID %q given twice", id)
		seen[id] = true
	}
	assert.Len(t, seen, 2)

	d, err := New(idConfig(t))
	require.NoError(t, err)
	assert.Regexp(t, `_\d{4}_\d\d_\d\dT\d\d_\d\d_\d\d_\d{6}_[a-z2-7]{12}$`, d.client.ID())
}

// clientBase is River's default ID (defaultClientID) for the host and
// time; a host name cut within a character, or with bytes that are not
// UTF-8, gives a valid UTF-8 ID (PostgreSQL keeps it in attempted_by, a
// text[]), and the longest ID fits River's bound.
func TestClientBaseIsRiversDefault(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 120000000, time.FixedZone("CET", 3600))
	for _, c := range []struct{ host, want string }{
		{"db-1.example.com", "db-1_example_com_2026_01_02T02_04_05_120000"},
		{"", "unknown_host_2026_01_02T02_04_05_120000"},
		{strings.Repeat("a", 70), strings.Repeat("a", 60) + "_2026_01_02T02_04_05_120000"},
		{strings.Repeat("a", 59) + "é", strings.Repeat("a", 59) + "_2026_01_02T02_04_05_120000"},
		{"host\xff", "host__2026_01_02T02_04_05_120000"},
	} {
		got := clientBase(c.host, at)
		assert.Equal(t, c.want, got, "%q", c.host)
		assert.True(t, utf8.ValidString(got), "%q", c.host)
	}

	longest := clientBase(strings.Repeat("a", 80), at)
	d, err := newDispatcher(idConfig(t), longest)
	require.NoError(t, err, "River takes the longest ID")
	assert.Len(t, d.client.ID(), maxClientID)
}
