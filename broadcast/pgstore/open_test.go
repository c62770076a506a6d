package pgstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast/pgstore"
)

func TestEmptyConnectionStringIsAnError(t *testing.T) {
	for _, dsn := range []string{"", "  "} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "pgstore: connection string: missing")
	}
}

func TestNilPoolIsAnError(t *testing.T) {
	_, err := pgstore.New(context.Background(), nil)
	assert.EqualError(t, err, "pgstore: New: pool: missing")
	assert.EqualError(t, pgstore.Migrate(context.Background(), nil), "pgstore: Migrate: pool: missing")
}

func TestConnectionErrorsHideThePassword(t *testing.T) {
	const password = "s3cret-Pa55word"
	for _, dsn := range []string{
		"postgres://ada:" + password + "@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		"postgres://ada:" + password + "@127.0.0.1:1/db?sslmode=bogus",
		"host=127.0.0.1 port=1 user=ada password=" + password + " sslmode=disable connect_timeout=2",
		// pgx's own redaction of a string it cannot parse misses these.
		"host=127.0.0.1 port=1 user=ada password = " + password + " sslmode=bogus",
		"host=127.0.0.1 port=1 user=ada password='it\\'s " + password + "' sslmode=bogus",
		"POSTGRES://ada:" + password + "@127.0.0.1:1/db",
	} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), password)
		if pe, ok := errors.AsType[*pgconn.ParseConfigError](err); ok {
			assert.NotContains(t, pe.ConnString, password, "in the error's chain")
		}
	}
}

// pgx reads a URL whose scheme it does not know as key=value pairs: it
// connected to a local socket with defaults and sent the URL, password
// included, as the name of a setting, which the server's error repeats.
func TestAURLOfAnotherSchemeIsAnError(t *testing.T) {
	const password = "s3cret-Pa55word"
	for _, dsn := range []string{
		"POSTGRES://ada:" + password + "@127.0.0.1:1/db?sslmode=disable",
		"postgress://ada:" + password + "@127.0.0.1:1/db?sslmode=disable",
		" postgres://ada:" + password + "@127.0.0.1:1/db?sslmode=disable",
	} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "pgstore: connection string: scheme:", dsn)
		assert.NotContains(t, err.Error(), password)
	}
	_, err := pgstore.Open(context.Background(), "host=127.0.0.1 port=1 password=a://b sslmode=disable connect_timeout=2")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "scheme", "a value holding :// is no URL")
}
