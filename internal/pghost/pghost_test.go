package pghost_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/internal/pghost"
)

// The parts of a fake password cut by a raw "&" or a space.
const head, tail = "Qx7k", "Wv9m"

// check parses dsn as pgxpool does and checks its configuration.
func check(t *testing.T, dsn string) error {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(t, err, dsn)
	return pghost.Check(cfg.ConnConfig)
}

// A password in a URL's query holding a raw "&" followed by one of pgx's
// own settings ("ab&host=x") was cut there, and its rest taken for that
// setting: a host asked of the DNS and connected to, a user or a database
// sent to the server, a port, a file read, each printed by pgx's errors.
// It is refused, naming the password's field and no part of it.
func TestASettingSentAwayAfterAQueryPasswordIsRefusedUnshown(t *testing.T) {
	for _, key := range []string{"host", "port", "user", "dbname", "database", "passfile",
		"sslkey", "sslcert", "sslrootcert", "krbspn", "krbsrvname", "service", "servicefile"} {
		value := head + tail
		if key == "port" {
			value = "5433"
		}
		for dsn, field := range map[string]string{
			"postgres://ada@127.0.0.1:1/db?sslmode=disable&password=pw&" + key + "=" + value:                 "password",
			"postgresql://ada@127.0.0.1:1/db?sslmode=disable&pass%77ord=pw&" + key + "=" + value:             "password",
			"postgres://ada:pw@127.0.0.1:1/db?sslmode=disable&sslpassword=pw&" + key + "=" + value:           "sslpassword",
			"postgres://ada@127.0.0.1:1/db?password=pw&sslmode=disable&" + key + "=" + value + "&x=1":        "password",
			"postgres://ada@127.0.0.1:1/db?password=pw&connect_timeout=2&" + key + "=" + value + "&sslsni=0": "password",
		} {
			err := pghost.CheckAfterPassword(dsn, nil)
			require.Error(t, err, dsn)
			assert.True(t, strings.HasPrefix(err.Error(), field+": "), "names the field: %v", err)
			assert.Contains(t, err.Error(), "%26", "says how to write it")
			for _, part := range []string{head, tail, value, "=" + key, key + "="} {
				assert.NotContains(t, err.Error(), part, dsn)
			}
			if strings.HasPrefix(key, "ssl") || strings.HasPrefix(key, "service") {
				continue // pgx reads the file as it parses
			}
			err = check(t, dsn)
			require.Error(t, err, dsn)
			assert.True(t, strings.HasPrefix(err.Error(), field+": "), "names the field: %v", err)
			assert.NotContains(t, err.Error(), head, dsn)
		}
	}
}

// Settings before the password, and the settings pgx only checks against
// a few words or numbers after it, cannot send a password's rest away: they
// are kept, as is an "&" written %26.
func TestSettingsThatCannotBeSentAwayAreKept(t *testing.T) {
	for _, dsn := range []string{
		"postgres://ada@127.0.0.1:1/db?host=127.0.0.2&user=bob&application_name=ops&password=pw",
		"postgres://ada@127.0.0.1:1/db?password=pw&sslmode=disable&connect_timeout=2&target_session_attrs=any" +
			"&pool_max_conns=5&pool_max_conn_lifetime=1h&channel_binding=disable&min_protocol_version=3.0",
		"postgres://ada@127.0.0.1:1/db?password=ab%26host%3Dx&sslmode=disable",
		"postgres://ada:pw@127.0.0.1:1/db?host=127.0.0.2&application_name=ops",
		"postgres://ada:pw@127.0.0.1:1/db",
		"postgres://ada@127.0.0.1:1/db?password=pw&application_name=ops&search_path=app&statement_timeout=5s",
	} {
		assert.NoError(t, check(t, dsn), dsn)
	}
}

// In key=value pairs, a password not in quotes ends at a space: the rest
// of one holding a space ("password=a b=c") was sent to the server as a
// run-time setting, whose error printed its name. A run-time setting after
// such a password is refused, naming the field and no part of it.
func TestARunTimeSettingAfterAPasswordNotInQuotesIsRefusedUnshown(t *testing.T) {
	for dsn, field := range map[string]string{
		"host=127.0.0.1 user=ada password=pw " + head + "=" + tail:                                   "password",
		"host=127.0.0.1 user=ada password = pw " + head + "=" + tail + " sslmode=disable":            "password",
		"host=127.0.0.1 password=pw sslmode=disable " + head + "='" + tail + "'":                     "password",
		"host=127.0.0.1 password=p\\ w " + head + "=" + tail:                                         "password",
		"host=127.0.0.1 sslpassword=pw " + head + "=" + tail + " password='x y'":                     "sslpassword",
		"\thost=127.0.0.1\npassword=pw\t" + head + "=" + tail:                                        "password",
		"host=127.0.0.1 password='a b' application_name=ops password=pw " + head + "=" + tail:        "password",
		"host=127.0.0.1 application_name=ops password=pw sslmode=disable " + head + "=" + tail + " ": "password",
	} {
		err := check(t, dsn)
		require.Error(t, err, dsn)
		assert.True(t, strings.HasPrefix(err.Error(), field+": "), "names the field: %v", err)
		assert.Contains(t, err.Error(), "quotes", "says how to write it")
		assert.NotContains(t, err.Error(), head, dsn)
		assert.NotContains(t, err.Error(), tail, dsn)
	}
	for _, dsn := range []string{
		"host=127.0.0.1 user=ada application_name=ops password=pw",
		"host=127.0.0.1 password='a b' application_name=ops",
		"host=127.0.0.1 password='it\\'s' application_name=ops",
		"password=pw host=db.example.com user=ada dbname=app sslmode=disable connect_timeout=2 pool_max_conns=5",
		// Settings PostgreSQL takes, as connection strings often put them
		// last; a password's rest would be one only were the password to
		// hold its name and "=".
		"host=127.0.0.1 user=ada password=pw dbname=app application_name=ops search_path=app,public TimeZone=UTC",
	} {
		assert.NoError(t, check(t, dsn), dsn)
	}
}
