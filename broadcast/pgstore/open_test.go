package pgstore_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
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

// A nil Option (one a caller's helper returned for "no option") is
// ignored, as a nil *boltstore.Options is; before, New and Open panicked
// on it.
func TestNilOptionIsIgnored(t *testing.T) {
	cfg, err := pgstore.ParseConfig("postgres://u@127.0.0.1:1/db")
	require.NoError(t, err)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg) // connects lazily
	require.NoError(t, err)
	defer pool.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // New fails at its first query, after taking the options
	assert.NotPanics(t, func() {
		_, err = pgstore.New(ctx, pool, nil, pgstore.ReconnectWait(-1), nil)
	})
	assert.ErrorIs(t, err, context.Canceled)
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

// pgx, as libpq, ends a URL's user information at its first "@": the
// rest of a password holding an unescaped "@" became the host name, which
// the error printed ("lookup Pa55word@127.0.0.1: no such host") after a
// DNS query sent it out.
func TestAnAtInThePasswordIsRefusedUnshown(t *testing.T) {
	const tail = "Pa55word-7d6c"
	for _, dsn := range []string{
		"postgres://ada:s3cret@" + tail + "@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		"postgres://ada:s3cret@" + tail + "@127.0.0.1/db?sslmode=disable&connect_timeout=2",
		"postgresql://ada:s3cret@" + tail + "@127.0.0.1:1,127.0.0.2:1/db?sslmode=disable&connect_timeout=2",
		"postgres://ada:s3cret@" + tail + "@db.invalid/db?sslmode=disable&connect_timeout=2",
		"host=" + tail + "@db.invalid port=1 user=ada sslmode=disable connect_timeout=2",
	} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), "pgstore: connection string: host: holds an @", dsn)
		assert.Contains(t, err.Error(), "%40")
		assert.NotContains(t, err.Error(), tail)
	}
	// A pool made elsewhere: New would connect to the host.
	pool, err := pgxpool.New(context.Background(), "postgres://ada:s3cret@"+tail+"@127.0.0.1:1/db?sslmode=disable&connect_timeout=2")
	require.NoError(t, err, "pgxpool.New does not connect")
	defer pool.Close()
	_, err = pgstore.New(context.Background(), pool)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pgstore: New: pool: host: holds an @")
	assert.NotContains(t, err.Error(), tail)
	err = pgstore.Migrate(context.Background(), pool)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pgstore: Migrate: pool: host: holds an @")
	assert.NotContains(t, err.Error(), tail)
	// A Unix socket's directory may hold one.
	_, err = pgstore.Open(context.Background(), "host=/nonexistent/a@b port=1 user=ada sslmode=disable connect_timeout=2")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "holds an @")
}

// A password that starts with digits and holds a "/" written raw cuts the
// URL short: pgx read "ada" as the host, the digits as its port, and the
// rest of the password as the database name, which its error printed. Such a URL has no
// user information, a port, and an "@" after the host; it is refused,
// quoting nothing.
func TestAPasswordCutShortIsRefusedUnshown(t *testing.T) {
	const tail = "s3cretTail"
	for _, dsn := range []string{
		"postgres://ada:1234/" + tail + "@127.0.0.1:1/db?sslmode=disable&connect_timeout=2",
		"postgresql://ada:1234/" + tail + "@127.0.0.1:1,127.0.0.2:1/db",
	} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), "pgstore: connection string:", dsn)
		assert.Contains(t, err.Error(), "%2F", "says how to write it")
		assert.NotContains(t, err.Error(), tail, dsn)
		assert.NotContains(t, err.Error(), "1234", dsn)
	}
	// pgx reads a "?" or "#" in the password right; an "@" in a URL with
	// user information, with no port, or escaped, is pgx's to read too.
	for _, dsn := range []string{
		"postgres://ada:1234?pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=1",
		"postgres://ada:pw@127.0.0.1:1/db@x?sslmode=disable&connect_timeout=1",
		"postgres://127.0.0.1/db@x?sslmode=disable&connect_timeout=1",
		"postgres://127.0.0.1:1/db%40x?sslmode=disable&connect_timeout=1",
	} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err, dsn)
		assert.NotContains(t, err.Error(), "%2F", dsn)
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

// pgx sets no connect timeout of its own (pgconn's ParseConfig sets
// ConnectTimeout only from connect_timeout): an attempt to a host that
// drops packets lasted the system's connect timeout, about 2 minutes on
// Linux (net.ipv4.tcp_syn_retries=6), longer than ReconnectWait's tries,
// and held a mark written without a deadline as long before its first try.
// Connect sets DefaultConnectTimeout unless the string gives its own.
func TestConnectBoundsEachConnectionAttempt(t *testing.T) {
	for _, tt := range []struct {
		dsn  string
		want time.Duration
	}{
		{"postgres://ada@127.0.0.1:1/db?sslmode=disable", pgstore.DefaultConnectTimeout},
		{"host=127.0.0.1 port=1 user=ada sslmode=disable", pgstore.DefaultConnectTimeout},
		{"postgres://ada@127.0.0.1:1/db?sslmode=disable&connect_timeout=0", pgstore.DefaultConnectTimeout},
		{"postgres://ada@127.0.0.1:1/db?sslmode=disable&connect_timeout=3", 3 * time.Second},
		{"host=127.0.0.1 port=1 user=ada sslmode=disable connect_timeout=45", 45 * time.Second},
	} {
		cfg, err := pgstore.ParseConfig(tt.dsn)
		require.NoError(t, err, tt.dsn)
		assert.Equal(t, tt.want, cfg.ConnConfig.ConnectTimeout, tt.dsn)
	}

	// The bound ends an attempt on a server that accepts the connection
	// and never answers its startup (a hang fails the test); the default
	// is shortened here, the field being the same.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns sync.WaitGroup
	conns.Add(1)
	go func() {
		defer conns.Done()
		var held []net.Conn
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // read nothing, answer nothing
		}
	}()
	defer conns.Wait()
	defer ln.Close()
	cfg, err := pgstore.ParseConfig("postgres://ada@" + ln.Addr().String() + "/db?sslmode=disable")
	require.NoError(t, err)
	cfg.ConnConfig.ConnectTimeout = 50 * time.Millisecond
	_, err = pgstore.ConnectConfig(context.Background(), cfg)
	require.Error(t, err)
	assert.ErrorContains(t, err, "pgstore: connect: ")
}

// A password starting with a raw "/" cut the URL short too, with no port
// left: pgx read the user name, and the ":" after it, as the host, and
// the whole password as the start of the database name, which its error
// printed ("database=s3cretTail@127.0.0.1:1/db").
func TestAPasswordStartingWithASlashIsRefusedUnshown(t *testing.T) {
	const tail = "s3cretTail"
	for _, dsn := range []string{
		"postgres://ada:/" + tail + "@127.0.0.1:1/db?sslmode=disable&connect_timeout=1",
		"postgres://ada:/" + tail + "@127.0.0.1/db?sslmode=disable&connect_timeout=1",
		"postgresql://ada:/" + tail + "@127.0.0.1:1,127.0.0.2:1/db?sslmode=disable&connect_timeout=1",
		"postgres://:/" + tail + "@127.0.0.1:1/db?sslmode=disable&connect_timeout=1",
	} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), "pgstore: connection string:", dsn)
		assert.Contains(t, err.Error(), "%2F", "says how to write it")
		assert.NotContains(t, err.Error(), tail, dsn)
	}
}

// A password given as a URL's query parameter holding a raw "&" is cut
// in two; pgx's error quoted the part after the "&" ("missing key/value
// separator "=" in URI query parameter: "s3cretTail"").
func TestAnAmpersandInAQueryPasswordIsNotShown(t *testing.T) {
	const tail = "s3cretTail"
	for _, dsn := range []string{
		"postgres://ada@127.0.0.1:1/db?sslmode=disable&password=pw&" + tail,
		"postgres://ada@127.0.0.1:1/db?password=&" + tail + "&sslmode=disable",
	} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), "pgstore: connection string: ", dsn)
		assert.NotContains(t, err.Error(), tail, dsn)
		if pe, ok := errors.AsType[*pgconn.ParseConfigError](err); ok {
			assert.NotContains(t, pe.ConnString, tail, "in the error's chain")
			if inner := errors.Unwrap(pe); inner != nil {
				assert.NotContains(t, inner.Error(), tail, "in the error's chain")
			}
		}
	}
}

// A password holding an "@" and then a "/", written raw, ends the user
// information at the "@" and the host at the "/": the rest of the
// password became the start of the database name, which pgx's error
// printed ("database=s3cretTail@127.0.0.1:1/db"), after connecting to the
// default socket or to a host named by the password's middle.
func TestAPasswordHoldingAnAtAndASlashIsRefusedUnshown(t *testing.T) {
	const tail = "s3cretTail"
	for _, dsn := range []string{
		"postgres://ada:pw@/" + tail + "@127.0.0.1:1/db?sslmode=disable&connect_timeout=1",
		"postgres://ada:@/" + tail + "@127.0.0.1/db?sslmode=disable&connect_timeout=1",
		"postgres://ada:pw@h/" + tail + "@127.0.0.1:1/db?sslmode=disable&connect_timeout=1",
		"postgres://ada:pw@h/" + tail + "@127.0.0.1:5432?sslmode=disable&connect_timeout=1",
	} {
		_, err := pgstore.Open(context.Background(), dsn)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), "pgstore: connection string:", dsn)
		assert.Contains(t, err.Error(), "%40", "says how to write it")
		assert.NotContains(t, err.Error(), tail, dsn)
	}
}

// pgx, as libpq, ends a URL's user information at an "@" before any "/",
// and the host and port at a "/", "?" or ",": a password holding these
// raw was cut into a host (a socket's directory, a name asked of the
// DNS), a port, a database name or a query, which pgx's errors printed,
// and a parse error quoted what it could not read. Each is refused
// before any connection, quoting no part of the password.
func TestPasswordsCutShortAreRefusedUnshown(t *testing.T) {
	const tail = "s3cretTail"
	for _, dsn := range []string{
		"postgres://ada:/Qx7k'" + tail + "?@127.0.0.1:1/db",              // a "/" first, then a "?"
		"postgres://ada:12/" + tail + "?@127.0.0.1:1/db",                 // digits, a "/", a "?"
		"postgres://ada:Qx7k@Wv9m?!" + tail + "@127.0.0.1:1/db",          // an "@" in a query before any "/"
		"postgres://ada:=pw@%2F" + tail + "@127.0.0.1:1/db",              // a socket's directory
		"postgres://ada:pw@[" + tail + "?x@127.0.0.1:1/db",               // a host no host name is
		"postgres://ada:pw[Wv9m@/" + tail + "\"x@127.0.0.1:1/db",         // an empty host
		"postgres://ada:[Qx7k@Wv9m/#" + tail + "@127.0.0.1:1/db",         // a host, then a database name
		"postgres://ada@127.0.0.1:1/db?password=pw&\"" + tail + "\"",     // quoted in a query
		"postgres://ada@127.0.0.1:1/db?password=pw&\"" + tail,            // half quoted
		"postgres://ada@127.0.0.1:1/db?password=pw&\\\"" + tail + "\\\"", // escaped quotes
	} {
		_, err := pgstore.ParseConfig(dsn)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), "pgstore: connection string: ", dsn)
		assert.NotContains(t, err.Error(), tail, dsn)
	}
	// What a host, a database name or a parse error may hold still reads.
	for _, dsn := range []string{
		"postgres://ada:pw@127.0.0.1:1/db@x",
		"postgres://127.0.0.1/db@x?sslmode=disable",
		"postgres://ada:pw@db_1.example.com:5432,[::1]:5433/db",
		"host=/run/a@b port=1 user=ada",
	} {
		_, err := pgstore.ParseConfig(dsn)
		assert.NoError(t, err, dsn)
	}
	_, err := pgstore.ParseConfig("postgres://ada@127.0.0.1:1/db?sslmode=require&sslkey=/k.pem")
	assert.ErrorContains(t, err, `both "sslcert" and "sslkey" are required`, "the names of settings are kept")
}

// An "@" in a query value, before values holding a "/" or a ":" (a
// socket's directory, a server setting), is no password cut short:
// such connection strings parse as pgx parses them.
func TestAnAtInAQueryValueIsAccepted(t *testing.T) {
	for _, dsn := range []string{
		"postgres://ada:pw@db.example.com/app?application_name=ops@web&host=/var/run/postgresql",
		"postgres://ada:pw@db.example.com/app?user=ada@srv&options=-c%20search_path%3Da:b",
		"postgres://db.example.com:5432/app?application_name=ops@web",
	} {
		_, err := pgstore.ParseConfig(dsn)
		assert.NoError(t, err, dsn)
	}
}

// A password given as a query parameter and cut by a raw "&" one
// character before its end shows not even that character.
func TestAOneCharacterTailIsNotShown(t *testing.T) {
	_, err := pgstore.ParseConfig("postgres://ada@db.example.com/app?password=a&Q")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), `"Q"`)
}

// A nil ctx is refused with an error that says so: pgxpool panicked on a
// goroutine of its own, which crashed the program whatever the caller
// recovered.
func TestNilContextIsAnErrorNotAPanic(t *testing.T) {
	cfg, err := pgstore.ParseConfig("postgres://ada@127.0.0.1:1/db?sslmode=disable")
	require.NoError(t, err)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg) // connects lazily
	require.NoError(t, err)
	defer pool.Close()
	var nilCtx context.Context
	const hint = ": nil context (pass context.Background() or a context of your own)"
	for _, tt := range []struct {
		name string
		call func() error
		want string
	}{
		{"Connect", func() error { _, err := pgstore.Connect(nilCtx, "postgres://ada@127.0.0.1:1/db"); return err }, "pgstore: connect"},
		{"Open", func() error { _, err := pgstore.Open(nilCtx, "postgres://ada@127.0.0.1:1/db"); return err }, "pgstore: connect"},
		{"New", func() error { _, err := pgstore.New(nilCtx, pool); return err }, "pgstore: New"},
		{"Migrate", func() error { return pgstore.Migrate(nilCtx, pool) }, "pgstore: Migrate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tt.call() })
			assert.EqualError(t, err, tt.want+hint)
		})
	}
}

// A password given as a URL's query parameter and holding a raw "&" is
// cut there, as libpq cuts it, and what follows ("c=d" of "ab&c=d") was
// sent to the server as a run-time setting, whose error printed it
// ("unrecognized configuration parameter "c""). A run-time setting after
// a password in the query is refused before any connection, naming the
// field and quoting no part of it; one before it, a setting pgx reads
// itself, and an "&" written %26 are kept.
func TestARunTimeSettingAfterAQueryPasswordIsRefusedUnshown(t *testing.T) {
	const head, tail = "Qx7k", "Wv9m"
	for dsn, field := range map[string]string{
		"postgres://ada@127.0.0.1:1/db?password=pw&" + head + "=" + tail:                       "password",
		"postgres://ada@127.0.0.1:1/db?password=pw&" + head + "=" + tail + "&sslmode=disable":  "password",
		"postgres://ada@127.0.0.1:1/db?sslmode=disable&pass%77ord=pw&" + head + "=" + tail:     "password",
		"postgresql://ada@127.0.0.1:1/db?password=pw&sslmode=disable&" + head + "=" + tail:     "password",
		"postgres://ada:pw@127.0.0.1:1/db?sslmode=disable&sslpassword=pw&" + head + "=" + tail: "sslpassword",
	} {
		_, err := pgstore.ParseConfig(dsn)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), "pgstore: connection string: "+field+": ", dsn)
		assert.Contains(t, err.Error(), "%26", "says how to write it")
		assert.NotContains(t, err.Error(), head, dsn)
		assert.NotContains(t, err.Error(), tail, dsn)

		// A pool made by pgx from it is refused too, before any I/O.
		cfg, err := pgxpool.ParseConfig(dsn)
		require.NoError(t, err, dsn)
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg) // connects lazily
		require.NoError(t, err)
		_, err = pgstore.New(context.Background(), pool)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), "pgstore: New: pool: "+field+": ", dsn)
		assert.NotContains(t, err.Error(), head, dsn)
		err = pgstore.Migrate(context.Background(), pool)
		assert.ErrorContains(t, err, "pgstore: Migrate: pool: "+field+": ", dsn)
		pool.Close()
	}
	for dsn, want := range map[string]string{
		"postgres://ada@127.0.0.1:1/db?application_name=ops&password=pw&sslmode=disable": "pw",
		"postgres://ada@127.0.0.1:1/db?password=ab%26c%3Dd":                              "ab&c=d",
		"postgres://ada:pw@127.0.0.1:1/db?application_name=ops":                          "pw",
	} {
		cfg, err := pgstore.ParseConfig(dsn)
		require.NoError(t, err, dsn)
		assert.Equal(t, want, cfg.ConnConfig.Password, dsn)
	}
}

// pgx's errors about a setting's value quote it in their text, outside
// the error they wrap: the part of a query password after a raw "&"
// ("pw&target_session_attrs=s3cretTail") was printed. The error names
// the setting, not its value.
func TestAnInvalidValueIsNotShown(t *testing.T) {
	const tail = "s3cretTail"
	for dsn, setting := range map[string]string{
		"postgres://ada@127.0.0.1:1/db?password=pw&target_session_attrs=" + tail: "target_session_attrs",
		"postgres://ada@127.0.0.1:1/db?password=pw&channel_binding=" + tail:      "channel_binding",
		"postgres://ada@127.0.0.1:1/db?password=pw&min_protocol_version=" + tail: "min_protocol_version",
		"host=127.0.0.1 user=ada password=pw max_protocol_version=" + tail:       "max_protocol_version",
	} {
		_, err := pgstore.ParseConfig(dsn)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), setting, dsn)
		assert.NotContains(t, err.Error(), tail, dsn)
	}
}

// A part of a password that pgx's error quotes is kept out even when it
// ends a setting's name written elsewhere in the string ("ert" of
// "sslcert="): only a word written as a setting's key is kept.
func TestATailEndingAKeyIsNotShown(t *testing.T) {
	for _, dsn := range []string{
		"postgres://ada@127.0.0.1:1/db?sslcert=/c.pem&sslkey=/k.pem&password=pw&ert",
		"postgres://ada@127.0.0.1:1/db?connect_timeout=2&password=pw&timeout",
	} {
		_, err := pgstore.ParseConfig(dsn)
		require.Error(t, err, dsn)
		assert.NotContains(t, err.Error(), `"ert"`, dsn)
		assert.NotContains(t, err.Error(), `"timeout"`, dsn)
	}
}

// The part of a query password after a raw "&" that reads as a key with a
// value holding an "=" ("word" of "pass&word=a=b"), which pgx's error
// quotes, is left out: it was kept as a key written in the string, where
// it is written in the password alone. A key before the password, which
// cannot be its rest, is still named.
func TestARestOfAPasswordReadAsAKeyIsNotShown(t *testing.T) {
	for _, dsn := range []string{
		"postgres://ada@127.0.0.1:1/db?password=pass&word=a=b",
		"postgres://ada@127.0.0.1:1/db?sslmode=disable&sslpassword=pass&word=a=b",
		"postgres://ada@127.0.0.1:1/db?pass%77ord=pass&word=a=b",
	} {
		_, err := pgstore.ParseConfig(dsn)
		require.Error(t, err, dsn)
		assert.NotContains(t, err.Error(), "word", dsn)
		assert.Contains(t, err.Error(), "failed to parse as URL", dsn)
	}
	_, err := pgstore.ParseConfig("postgres://ada:pw@127.0.0.1:1/db?options=-c%20a=b")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"options"`)
}

// A password in a URL's query holding a raw "&" followed by a setting pgx
// reads itself ("pw&host=x", "pw&sslrootcert=x") was cut there, and its
// rest became the host (asked of the DNS, and printed by the connection's
// error), or a file pgx read as it parsed, whose path its error printed.
// Both are refused, naming the field and quoting no part of the password.
func TestAHostOrFileAfterAQueryPasswordIsRefusedUnshown(t *testing.T) {
	const head, tail = "Qx7k", "Wv9m"
	for _, key := range []string{"host", "user", "dbname", "sslrootcert", "sslcert", "servicefile"} {
		dsn := "postgres://ada@127.0.0.1:1/db?sslmode=require&password=pw&" + key + "=" + head + tail
		_, err := pgstore.ParseConfig(dsn)
		require.Error(t, err, dsn)
		assert.Contains(t, err.Error(), "pgstore: connection string: password: ", dsn)
		assert.Contains(t, err.Error(), "%26", "says how to write it")
		assert.NotContains(t, err.Error(), head, dsn)
		assert.NotContains(t, err.Error(), tail, dsn)
	}
	cfg, err := pgstore.ParseConfig("postgres://ada@127.0.0.1:1/db?host=127.0.0.2&password=pw&sslmode=disable")
	require.NoError(t, err, "a host before the password is kept")
	assert.Equal(t, "127.0.0.2", cfg.ConnConfig.Host)
}
