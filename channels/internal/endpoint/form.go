package endpoint

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/internal/urlcut"
)

// FormErrorf returns an error about part of a channel URL of package pkg,
// as "slack: URL: host: missing". Callers never quote the URL or a secret
// in it.
func FormErrorf(pkg, part, format string, args ...any) error {
	return fmt.Errorf("%s: URL: %s: %s", pkg, part, fmt.Sprintf(format, args...))
}

// PartError restates err, an error of Check or Base about a URL that
// part of a channel URL gave ("query base_url"), as an error about that
// part, as "slack: URL: query base_url: must not hold credentials".
// ParseURL checks such a URL itself rather than leave it to New: the
// Config keeps it as a plain string, which would print with a password it
// holds.
func PartError(pkg, part string, err error) error {
	var se *setup.Error
	if errors.As(err, &se) {
		return FormErrorf(pkg, part, "%s", se.Problem)
	}
	return err
}

// SchemePart names the scheme of raw, as url.Parse returns it, for an
// error about a URL form of another scheme: `scheme "https"` when raw
// writes it before "://", as a URL does, and only "scheme" otherwise. A
// secret pasted where the URL goes ("Pa55:word") has no "//": its scheme
// is the secret's text before its first ":".
func SchemePart(raw, scheme string) string {
	if scheme != "" && strings.HasPrefix(raw[len(scheme):], "://") {
		return fmt.Sprintf("scheme %q", scheme)
	}
	return "scheme"
}

// CutPassword returns an error naming the port of u, parsed from the URL
// of package pkg, when u is a URL a "/", "?" or "#" in its password cut
// short (see urlcut.Problem, whose rule it applies, and own). The error
// quotes nothing.
func CutPassword(pkg string, u *url.URL, own func(rawKey, rawVal string) bool) error {
	if p := urlcut.Problem(u, own); p != "" {
		return fmt.Errorf("%s: URL: %s", pkg, p)
	}
	return nil
}

// Schemes is the pair of schemes of a channel's URL form: the channel's
// name ("slack") stands for https, and the name with "+http"
// ("slack+http") for plain http, which Check allows to loopback hosts
// only.
type Schemes string

// Web returns the web scheme, "https" or "http", that scheme (as
// url.Parse returns it, in lower case) stands for, and false for any
// other scheme.
func (s Schemes) Web(scheme string) (string, bool) {
	switch scheme {
	case string(s):
		return "https", true
	case string(s) + "+http":
		return "http", true
	}
	return "", false
}

// Form returns the scheme of the URL form for web, a URL's scheme:
// s+"+http" for "http", s for any other.
func (s Schemes) Form(web string) string {
	if web == "http" {
		return string(s) + "+http"
	}
	return string(s)
}

// Parse parses raw, a channel URL of package pkg whose scheme is one of
// s, and returns it with the web scheme, "https" or "http", its scheme
// stands for. Its errors name the part at fault (the URL does not parse,
// has another scheme, or no host) without quoting the URL.
func (s Schemes) Parse(pkg, raw string) (*url.URL, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, "", fmt.Errorf("%s: URL: does not parse", pkg)
	}
	web, ok := s.Web(u.Scheme)
	switch {
	case !ok:
		return nil, "", FormErrorf(pkg, "scheme", "want %s:// (or %s:// for plain http to a loopback host)",
			s.Form("https"), s.Form("http"))
	case u.Host == "" || u.Opaque != "":
		return nil, "", FormErrorf(pkg, "host", "missing")
	}
	return u, web, nil
}

// Query parses rawQuery, the query of a channel URL of package pkg, as
// url.ParseQuery does ("+" is a space), but fails where url.URL.Query
// would drop a parameter without a word: a bad %-escape, or a ";" between
// parameters. The URL would otherwise work without the setting it was
// written with. The error gives the parameter's position, from 1, and
// quotes nothing, as "demo: URL: query: parameter 2: bad %-escape".
func Query(pkg, rawQuery string) (url.Values, error) {
	q := url.Values{}
	err := eachParam(rawQuery, func(n int, rawKey, rawVal string) error {
		if strings.Contains(rawKey+rawVal, ";") {
			return FormErrorf(pkg, "query", `parameter %d: holds ";" (separate parameters with "&", escape a ";" in a value as %%3B)`, n)
		}
		key, err := url.QueryUnescape(rawKey)
		if err == nil {
			var val string
			if val, err = url.QueryUnescape(rawVal); err == nil {
				q[key] = append(q[key], val)
				return nil
			}
		}
		return FormErrorf(pkg, "query", "parameter %d: bad %%-escape", n)
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// eachParam calls f with each parameter of rawQuery, its position from 1
// and its name and value as written, until f fails; empty ones ("a=1&&b=2")
// are skipped.
func eachParam(rawQuery string, f func(n int, rawKey, rawVal string) error) error {
	n := 0
	for kv := range strings.SplitSeq(rawQuery, "&") {
		if kv == "" {
			continue
		}
		n++
		rawKey, rawVal, _ := strings.Cut(kv, "=")
		if err := f(n, rawKey, rawVal); err != nil {
			return err
		}
	}
	return nil
}

// Params returns the parameters of rawQuery, the query of a channel URL of
// package pkg (read by Query), by name: each of known given once, but
// those also in multi, which may be repeated and whose values are then
// joined with ",". A name given empty ("name=") is an error, as the
// configuration file's name: "" is. Any other parameter is an error that
// lists the known ones and quotes its name if QuotableName: a secret
// written by mistake in the query, or a password cut short by a "?", may
// be in it. Every parameter refused is named (joined, a line each); the
// map returned beside such an error holds the others (nil when the query
// does not parse), for SetParams to name their faults too. It is for
// a query that holds no secret: one that does (where a missing "=" makes
// a secret the name) is read with LiteralParams.
func Params(pkg, rawQuery string, known []string, multi ...string) (map[string]string, error) {
	q, err := Query(pkg, rawQuery)
	if err != nil {
		return nil, err
	}
	return params(pkg, q, known, multi)
}

// params is Params on a parsed query. Names are checked in order, and
// every parameter refused is named (joined, a line each), the same way
// every time; the map returned holds those that passed, also beside an
// error, so that the caller's SetParams names its faults with these.
func params(pkg string, q url.Values, known, multi []string) (map[string]string, error) {
	out := make(map[string]string, len(q))
	var f setup.Faults
	for _, k := range slices.Sorted(maps.Keys(q)) {
		vs := q[k]
		switch {
		case !slices.Contains(known, k) && !QuotableName(k, strings.Join(vs, "")):
			f.Add(FormErrorf(pkg, "query", `unknown parameter (want %s; a "&", "?" or "#" in a value or password is written %%26, %%3F or %%23)`, orList(known)))
		case !slices.Contains(known, k):
			f.Add(FormErrorf(pkg, "query", "unknown parameter %q (want %s)", k, orList(known)))
		case len(vs) > 1 && !slices.Contains(multi, k):
			f.Add(FormErrorf(pkg, "query", "%q given %d times", k, len(vs)))
		case k == "name" && vs[0] == "":
			// As a configuration file's name: "": most likely a value
			// lost, not a wish for the default name.
			f.Add(FormErrorf(pkg, "query name", "empty (write the channel's name, or leave name out for the default)"))
		default:
			out[k] = strings.Join(vs, ",")
		}
	}
	return out, f.Err()
}

// SetParams calls set with each parameter of p, as Params returns them
// (also beside Params' error: join the two),
// in the order of their names, and returns an error of every one set
// refuses, as "query <name>" of the URL (joined, a line each), or nil: a
// URL with several parameters wrong names them all, the same way every
// time. Set's error says what is wrong, without the value, which may be
// a secret pasted under the wrong name.
func SetParams(pkg string, p map[string]string, set func(name, value string) error) error {
	var f setup.Faults
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if err := set(k, p[k]); err != nil {
			f.Add(FormErrorf(pkg, "query "+k, "%v", err))
		}
	}
	return f.Err()
}

// LiteralParams is Params for a raw query of secrets, whose values are
// written as url.PathEscape writes them: a "+" stands for itself, not for
// a space. An unknown name is never quoted, since a missing "=" makes the
// secret part of it ("consumer_secretZx9…"): the error gives its position
// among the parameters, from 1, and the known names, as
// "demo: URL: query: parameter 2: unknown name (want secret or user)".
// Every parameter refused is named, those refused for their names or
// %-escapes in the query's order, then those Params would refuse (given
// twice, a name given empty); the map returned, also beside the error,
// holds the others, for SetParams to name their faults too.
func LiteralParams(pkg, rawQuery string, known []string, multi ...string) (map[string]string, error) {
	q := url.Values{}
	var f setup.Faults
	badEscape := map[string]bool{}
	_ = eachParam(rawQuery, func(n int, rawKey, rawVal string) error {
		key, err := url.PathUnescape(rawKey)
		if err != nil || !slices.Contains(known, key) {
			f.Add(FormErrorf(pkg, "query", "parameter %d: unknown name (want %s)", n, orList(known)))
			return nil
		}
		val, err := url.PathUnescape(rawVal)
		if err != nil {
			f.Add(FormErrorf(pkg, "query "+key, "bad %%-escape"))
			badEscape[key] = true
			return nil
		}
		q[key] = append(q[key], val)
		return nil
	})
	out, err := params(pkg, q, known, multi)
	f.Add(err)
	// A parameter refused for one of its values sets nothing.
	for key := range badEscape {
		delete(out, key)
	}
	return out, f.Err()
}

// QuotableName reports whether name, the name of a query parameter
// name=value that a URL form does not know, may be quoted in an error:
// only if it is made of lower-case ASCII letters and "_", as every
// parameter of the URL forms is, and has a value. Any other name may be
// part of a secret: a "&" in a value, or a "?" in a password, not
// %-escaped, makes what follows it a parameter's name, most often one
// without a value ("s3cr3t" of "token=xoxb-&s3cr3t", "s3cr3t@host/ops" of
// "xoxb:?s3cr3t@host/ops").
func QuotableName(name, value string) bool {
	return name != "" && value != "" &&
		!strings.ContainsFunc(name, func(r rune) bool { return (r < 'a' || r > 'z') && r != '_' })
}

// orList writes words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// ParseBool reads a yes-or-no parameter of a URL form: yes, on, true or 1,
// and no, off, false or 0, in any case.
func ParseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "on", "true", "1":
		return true, nil
	case "no", "off", "false", "0":
		return false, nil
	}
	return false, errors.New("want yes or no")
}
