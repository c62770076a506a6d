// Package pghost checks the hosts and run-time settings of a PostgreSQL
// connection's configuration for the rest of a password written raw in
// its URL, before anything connects and an error prints them.
// broadcast/pgstore and dispatch share it.
package pghost

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrAt is Check's error for a host holding an "@".
var ErrAt = errors.New("host: holds an @ (an @ in the user name or password is written %40)")

// Check refuses a host name holding an "@", or a character that no
// host name holds, and a database name holding an "@" followed by a "/"
// or ":". pgx, as libpq, ends a URL's user information at its first "@",
// and its host at the first ":", "/", "?" or ",": the rest of a password
// holding one of these unescaped becomes the host, its port or the
// database name, and connecting would send it to the DNS, and pgx's error
// would print it. A Unix socket's directory (a host starting with "/")
// may hold any of them. It refuses too a URL's query that sets a run-time
// setting after a password (see checkQuery).
func Check(cfg *pgx.ConnConfig) error {
	if err := checkQuery(cfg.ConnString(), cfg.RuntimeParams); err != nil {
		return err
	}
	hosts := []string{cfg.Host}
	for _, f := range cfg.Fallbacks {
		hosts = append(hosts, f.Host)
	}
	for _, h := range hosts {
		switch {
		case strings.HasPrefix(h, "/"):
		case strings.Contains(h, "@"):
			return ErrAt
		case strings.IndexFunc(h, notInHostName) >= 0:
			return errors.New("host: holds a character no host name holds " +
				`(a character of the user name or password written raw: write "/" as %2F, "?" as %3F, "#" as %23, "@" as %40)`)
		}
	}
	if _, rest, ok := strings.Cut(cfg.Database, "@"); ok && strings.ContainsAny(rest, "/:") {
		return errors.New(`database: holds an "@" followed by a host or port: a password cut short by a "/" ` +
			`(write a "/" in the user name or password as %2F, and an "@" in the password or the database name as %40)`)
	}
	return nil
}

// checkQuery refuses a URL whose query sets a run-time setting (a key of
// runtime: one pgx sends to the server, not one it reads itself) after a
// password or sslpassword. pgx, as libpq, ends a query value at a raw
// "&": a password holding one ("ab&c=d") is cut there, and its rest, "c=d",
// would be sent as a setting, which the server's error would print
// ("unrecognized configuration parameter "c""). A setting written before
// the password cannot be such a rest.
func checkQuery(connString string, runtime map[string]string) error {
	q := queryAt(connString)
	if q < 0 {
		return nil
	}
	secret := ""
	for pair := range strings.SplitSeq(connString[q:], "&") {
		key := queryKey(pair)
		if key == "password" || key == "sslpassword" {
			secret = key
			continue
		}
		if _, ok := runtime[key]; ok && secret != "" {
			return fmt.Errorf("%s: followed in the URL's query by a run-time setting, "+
				"which may be the rest of a %s holding a raw \"&\" (write an \"&\" in it as %%26, "+
				"and put run-time settings before %s=)", secret, secret, secret)
		}
	}
	return nil
}

// BeforePassword returns connString up to the pair of its query, when it
// is a URL, that sets password or sslpassword: pgx, as libpq, ends that
// value at a raw "&", so what follows may be the rest of a password that
// reads as keys and values ("word=a=b" of "pass&word=a=b"). A string that
// is not a URL, or whose query sets neither, is returned whole.
func BeforePassword(connString string) string {
	at := queryAt(connString) // of the query's first pair
	if at < 0 {
		return connString
	}
	for pair := range strings.SplitSeq(connString[at:], "&") {
		if k := queryKey(pair); k == "password" || k == "sslpassword" {
			return connString[:at]
		}
		at += len(pair) + 1
	}
	return connString
}

// queryAt returns the index in connString of its query's first pair, as
// pgx finds the query of a URL (past the user information, which may hold
// a "?"), or -1 when connString is not a URL or has no query.
func queryAt(connString string) int {
	p, ok := strings.CutPrefix(connString, "postgresql://")
	if !ok {
		if p, ok = strings.CutPrefix(connString, "postgres://"); !ok {
			return -1
		}
	}
	if i := strings.IndexAny(p, "@/"); i >= 0 && p[i] == '@' {
		p = p[i+1:] // pgx's end of the user information
	}
	q := strings.IndexByte(p, '?')
	if q < 0 {
		return -1
	}
	return len(connString) - len(p) + q + 1
}

// queryKey returns the key of pair, a pair of a URL's query, decoded as
// pgx decodes it.
func queryKey(pair string) string {
	raw, _, _ := strings.Cut(pair, "=")
	key, err := url.PathUnescape(strings.Trim(raw, " "))
	if err != nil {
		return raw
	}
	return key
}

// notInHostName reports whether c is not in a host name, an IPv4
// address, or an IPv6 address (with its zone): letters, digits, ".",
// "-", "_" (container names), ":" and "%".
func notInHostName(c rune) bool {
	return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune(".-_:%", c))
}
