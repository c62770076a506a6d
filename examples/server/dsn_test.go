package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

// Each connection attempt is bounded: pgx has no default, and one to a
// host that drops packets (a failover, a firewall) lasts minutes. A bound
// the connection string gives is kept.
func TestConnectTimeoutIsBounded(t *testing.T) {
	for dsn, want := range map[string]time.Duration{
		"postgres://u:p@db.example.com:5432/outagecast":                   pgstore.DefaultConnectTimeout,
		"postgres://u:p@db.example.com:5432/outagecast?connect_timeout=3": 3 * time.Second,
	} {
		db, err := parseDSN(environ{lookup: func(k string) (string, bool) { return dsn, k == dsnEnv }}, 2)
		require.NoError(t, err)
		assert.Equal(t, want, db.cfg.ConnConfig.ConnectTimeout, dsn)
	}
}

// A DATABASE_URL whose query password holds a raw "&" is refused, naming
// the field and printing no part of the password: the rest after the "&"
// was sent to the server as a setting, and its error printed it.
func TestAnAmpersandInAQueryPasswordIsRefusedUnshown(t *testing.T) {
	const dsn = "postgres://u@db.example.com:5432/outagecast?password=Qx7k&Wv9m=Zt3p"
	_, err := parseDSN(environ{lookup: func(k string) (string, bool) { return dsn, k == dsnEnv }}, 2)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DATABASE_URL: pgstore: connection string: password: ")
	for _, part := range []string{"Qx7k", "Wv9m", "Zt3p"} {
		assert.NotContains(t, err.Error(), part)
	}
}
