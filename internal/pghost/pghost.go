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
// may hold any of them. It refuses too a setting after a password that
// may be the password's rest (see CheckAfterPassword).
func Check(cfg *pgx.ConnConfig) error {
	if err := CheckAfterPassword(cfg.ConnString(), cfg.RuntimeParams); err != nil {
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

// CheckAfterPassword refuses a setting written after a password or
// sslpassword that may be the rest of a password written raw, and that
// pgx would send away or print:
//
//   - in a URL's query, a run-time setting (a key of runtime: one pgx
//     sends to the server, not one it reads itself) that is no setting
//     PostgreSQL is known to take (see serverSettings), or one of the
//     settings of sentOrPrinted (a host, port, user, database, a file);
//     pgx, as libpq, ends a query value at a raw "&": a password holding
//     one ("ab&host=x") is cut there, and its rest, "host=x", would be
//     asked of the DNS and connected to, and printed by pgx's error, or
//     sent to the server as a setting ("ab&c=d"), whose error would print
//     it ("unrecognized configuration parameter "c"");
//   - in key=value pairs, a run-time setting that is no setting
//     PostgreSQL is known to take after a password not in quotes: pgx
//     ends such a value at a space, and the rest of a password holding
//     one ("password=a b=c") would be sent as a setting.
//
// A setting PostgreSQL takes (application_name=, search_path=, …) is kept
// after a password: a password's rest would be such a setting only were
// the password to hold its name and "=", and the server, taking it, would
// print nothing; refusing it would refuse the many connection strings
// that put it last.
// A setting written before the password cannot be such a rest, nor can
// one after a quoted password; pgx's settings whose values it only checks
// against a few words or numbers (sslmode, connect_timeout, pgxpool's
// pool_max_conns …) are kept after it too. runtime may be nil: only the
// settings of sentOrPrinted are then refused, so that a caller may check
// the string before pgx reads its files. The error names the password's
// field, never the setting, which may be part of the password.
func CheckAfterPassword(connString string, runtime map[string]string) error {
	if q := queryAt(connString); q >= 0 {
		return checkQuery(connString[q:], runtime)
	}
	if strings.HasPrefix(connString, "postgres://") || strings.HasPrefix(connString, "postgresql://") {
		return nil // a URL with no query
	}
	return checkPairs(connString, runtime)
}

// sentOrPrinted are the settings pgx reads itself whose values it sends
// to the DNS or a server, reads a file by, or prints in its errors.
var sentOrPrinted = map[string]bool{
	"host": true, "port": true, "user": true, "database": true, "dbname": true,
	"passfile": true, "sslkey": true, "sslcert": true, "sslrootcert": true,
	"krbspn": true, "krbsrvname": true, "service": true, "servicefile": true,
}

// serverSettings are settings PostgreSQL takes at the start of a session
// that connection strings set, in lower case (the server reads their
// names so): CheckAfterPassword keeps them after a password. A name not
// here that the server does not know fails the connection, and the
// server's error prints it.
var serverSettings = map[string]bool{
	"application_name": true, "search_path": true, "client_encoding": true, "datestyle": true,
	"timezone": true, "intervalstyle": true, "options": true, "statement_timeout": true,
	"lock_timeout": true, "idle_in_transaction_session_timeout": true, "idle_session_timeout": true,
	"transaction_timeout": true, "default_transaction_isolation": true, "default_transaction_read_only": true,
	"default_transaction_deferrable": true, "standard_conforming_strings": true, "extra_float_digits": true,
	"bytea_output": true, "client_min_messages": true, "lc_messages": true, "lc_monetary": true,
	"lc_numeric": true, "lc_time": true, "work_mem": true, "maintenance_work_mem": true, "temp_buffers": true,
	"default_tablespace": true, "temp_tablespaces": true, "role": true, "row_security": true,
	"session_replication_role": true, "jit": true, "plan_cache_mode": true, "geqo": true,
	"random_page_cost": true, "effective_cache_size": true, "log_statement": true,
	"log_min_duration_statement": true, "synchronous_commit": true, "xmloption": true,
	"gin_fuzzy_search_limit": true, "cursor_tuple_fraction": true, "enable_seqscan": true,
}

// checkQuery checks query, a URL's query (see CheckAfterPassword).
func checkQuery(query string, runtime map[string]string) error {
	secret := ""
	for pair := range strings.SplitSeq(query, "&") {
		key := queryKey(pair)
		if key == "password" || key == "sslpassword" {
			secret = key
			continue
		}
		if _, ok := runtime[key]; (ok && !serverSettings[strings.ToLower(key)] || sentOrPrinted[key]) && secret != "" {
			return fmt.Errorf("%s: followed in the URL's query by a setting that may be the rest of a %s "+
				"holding a raw \"&\", which would be sent to a host or the server and printed in their errors "+
				"(write an \"&\" in it as %%26, and put host, port, user, database, file and run-time settings "+
				"before %s=)", secret, secret, secret)
		}
	}
	return nil
}

// spaces are the characters that separate key=value pairs, as pgx reads
// them.
const spaces = " \t\n\r\v\f"

// checkPairs checks connString, key=value pairs, as pgx reads them (see
// CheckAfterPassword). It stops, refusing nothing, where pgx's parser
// fails.
func checkPairs(connString string, runtime map[string]string) error {
	secret := ""
	s := strings.TrimLeft(connString, spaces)
	for s != "" {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return nil
		}
		key := strings.Trim(s[:eq], spaces)
		s = strings.TrimLeft(s[eq+1:], spaces)
		quoted := strings.HasPrefix(s, "'")
		if quoted {
			s = s[1:]
		}
		end := 0
		for ; end < len(s); end++ {
			if quoted && s[end] == '\'' || !quoted && strings.IndexByte(spaces, s[end]) >= 0 {
				break
			}
			if s[end] == '\\' {
				end++
			}
		}
		if quoted {
			end++ // the closing quote
		}
		s = strings.TrimLeft(s[min(end, len(s)):], spaces)
		if _, ok := runtime[key]; ok && !serverSettings[strings.ToLower(key)] && secret != "" {
			return fmt.Errorf("%s: followed by a run-time setting, which may be the rest of a %s holding a space "+
				"not in quotes, and would be sent to the server and printed in its error "+
				"(write it in single quotes, %s='...', or put run-time settings before %s=)", secret, secret, secret, secret)
		}
		if (key == "password" || key == "sslpassword") && !quoted {
			secret = key
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
