// Package endpoint checks the URLs a channel's Config gives for the
// service it talks to (an API's base URL, a webhook's URL), with one rule
// for all of them, and helps with the channels' own URL form
// ("slack://…", "mastodon+http://…").
//
// # The rule
//
// A service URL is an absolute http or https URL with a host, and:
//
//   - https, or plain http to a loopback host only (a test server): what
//     a channel sends there carries a credential, in a header or in the
//     URL itself, which must never travel in clear over a network (a URL
//     no credential goes to, as a public page's, may set Rules.PlainHTTP);
//   - a host that is an IP address or a DNS name (an internationalised
//     one too), which a lookup can resolve (see ValidHost);
//   - no user information: credentials go in their own Config fields
//     (nor what a "/", "?" or "#" in a password, not %-escaped, leaves of
//     it: an empty port, or a port followed by a path, query or fragment
//     holding "@", which is written %40 there; see CutPassword);
//   - no fragment, no white space, and no query unless Rules.Query allows
//     one (webhook URLs that carry their credentials in the query); in a
//     URL shown publicly (Rules.Public), no query parameter named as a
//     credential (see credquery.Holds);
//   - none of the Config's own secrets (Rules.Config), raw or encoded, in
//     a URL written in a plain string field (see SecretField), as a
//     token pasted into a base URL's path.
//
// A loopback host is "localhost", in any case, or a loopback IP address
// (127.0.0.0/8, ::1, also IPv4-mapped or with a zone).
//
// # URL forms
//
// A channel written as one URL ("slack://xoxb:…@slack.com/ops") is read
// with the same rules in every package: Schemes pairs the scheme for https
// with its "+http" twin and Parse checks the scheme and host; Params reads
// the query, each parameter once (lists may repeat) and none unknown;
// LiteralParams does the same for a query of secrets, in which "+" is a
// plus; ParseBool reads every yes-or-no parameter.
//
// # Errors
//
// Errors of Check and Base are *setup.Error values naming the Config
// field, as "slack: Config.BaseURL: must use https (http only for a
// loopback host)"; errors about a URL form name its part, as
// "slack: URL: host: missing". None quotes the URL, which may hold a
// secret.
package endpoint

import (
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/outagecast/outagecast/channels/internal/setup"
	"github.com/outagecast/outagecast/internal/credquery"
	"github.com/outagecast/outagecast/internal/secrets"
	"github.com/outagecast/outagecast/internal/urlcut"
	"github.com/outagecast/outagecast/redact"
)

// Loopback reports whether host, a host name or IP address without port
// or brackets (as url.URL.Hostname returns it), is localhost or a
// loopback address.
func Loopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") { // "localhost." is the same name, absolute
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// Rules are what a service URL may hold beyond the rule every one follows
// (see the package documentation).
type Rules struct {
	// Default is the URL an empty one stands for; without it, a URL is
	// required.
	Default string
	// Query allows a query, which must then parse. Base ignores it.
	Query bool
	// PlainHTTP allows http to any host, for a URL no credential goes
	// to, such as the public address of a status page.
	PlainHTTP bool
	// Example is a URL of the expected form, quoted in the error of a
	// missing URL or one that is not an absolute http(s) URL.
	Example string
	// Public says the URL is shown publicly (an image a post shows): a
	// query parameter named as a credential, with a value, is refused
	// (see credquery.Holds), as no credential belongs there.
	Public bool
	// Config is the channel's Config, whose URL field (a plain string)
	// this is: a URL given (not Default) that holds one of its secrets
	// (see SecretField) is refused, naming the field that holds it. Nil:
	// none looked for.
	Config any
	// Secrets are more secrets the URL must not hold, that are no field
	// of Config (the secret part of a token that is "id:secret").
	Secrets []redact.Secret
}

// Check checks raw (r.Default when empty), the service URL in field of
// package pkg's Config, against the rule and r, and returns it parsed.
func Check(pkg, field, raw string, r Rules) (*url.URL, error) {
	bad := func(problem string) error { return setup.Errorf(pkg, field, "%s", problem) }
	given := raw
	if raw == "" {
		raw = r.Default
	}
	want := "an absolute https URL"
	if r.PlainHTTP {
		want = "an absolute http or https URL"
	}
	if r.Example != "" {
		want += `, as "` + r.Example + `"`
	}
	u, err := url.Parse(raw)
	switch {
	case raw == "" && r.Example != "":
		return nil, bad("missing (" + want + ")")
	case raw == "":
		return nil, bad("missing")
	case err != nil:
		return nil, bad("not a URL")
	case u.Scheme != "https" && u.Scheme != "http" || u.Hostname() == "" || u.Opaque != "":
		return nil, bad("not " + want)
	case u.Scheme == "http" && !r.PlainHTTP && !Loopback(u.Hostname()):
		return nil, bad("must use https (http only for a loopback host)")
	case !ValidPort(u.Port()):
		return nil, bad("a port that is not a number from 1 to 65535")
	case !ValidHost(u):
		return nil, bad(HostProblem)
	case u.User != nil:
		return nil, bad("must not hold credentials")
	case urlcut.Problem(u, nil) != "":
		// Credentials still: a "/", "?" or "#" in the password made the
		// user name the host, where the channel would send its own.
		return nil, bad(urlcut.Problem(u, nil))
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, bad("must not have a fragment")
	case strings.ContainsFunc(raw, unicode.IsSpace):
		return nil, bad("must not hold white space")
	case !r.Query && (u.RawQuery != "" || u.ForceQuery):
		return nil, bad("must not have a query")
	}
	if _, err := url.ParseQuery(u.RawQuery); err != nil {
		return nil, bad("a badly escaped query")
	}
	if r.Public && credquery.Holds(u.RawQuery) {
		return nil, bad(credquery.Problem)
	}
	if given != "" {
		if at := SecretField(given, r.Config, r.Secrets...); at != "" {
			return nil, bad(SecretProblem(at))
		}
	}
	return u, nil
}

// SecretField returns where in cfg, a channel's Config, the secret is
// that raw, a URL of cfg written in a plain string field, holds: the Go
// path of the field (as "Token" or "Endpoints[2].Secret"; "." for one
// not told, or one of more), or "" for none. Its secrets are the values of its
// redact.Secret fields and what redact.Redactor.WithURLs redacts of its
// redact.URL ones (but raw itself), as the check of a channel's name finds
// them (internal/secrets), of redact.MinNameSecret bytes or more, in any
// encoding a Redactor redacts, in raw as written or with its %-escapes
// decoded, but not in its host (a word of a public server's name, which a
// short password may be by chance). Such a URL prints with the Config, where a plain string is
// not redacted, and travels in the line of every request, where a proxy's
// log keeps it: a token goes in its own field. Nil cfg and no more: "".
func SecretField(raw string, cfg any, more ...redact.Secret) string {
	if cfg == nil && len(more) == 0 || raw == "" {
		return ""
	}
	given := raw
	if u, err := url.Parse(raw); err == nil && u.User == nil && u.Host != "" {
		// Not in the host, which names a public server and is no place
		// for a token: a short password that is a word of it by chance
		// ("social" of bsky.social) is not held there. Check refuses
		// user information.
		raw = strings.Replace(raw, u.Host, "", 1)
	}
	texts := []string{raw}
	if d, err := url.PathUnescape(raw); err == nil && d != raw {
		texts = append(texts, d)
	}
	holds := func(f secrets.Found) bool {
		urls := slices.DeleteFunc(slices.Clone(f.URLs), func(u redact.URL) bool { return u.Reveal() == given })
		for _, t := range texts {
			if redact.CheckName(t, f.Secrets, urls) != nil {
				return true
			}
		}
		return false
	}
	if f := secrets.Find(cfg); !holds(f) {
		if holds(secrets.Found{Secrets: more}) {
			return "."
		}
		return ""
	}
	if at := secrets.Field(cfg, holds); at != "" {
		return at
	}
	return "."
}

// SecretProblem is the problem of a URL that holds the secret of the
// Config field at (SecretField's answer): it names the field, not the
// secret.
func SecretProblem(at string) string {
	if at == "." {
		return "must not hold one of the Config's secrets (a secret goes in its own field: the URL prints with the Config)"
	}
	return "must not hold the value of Config." + at + " (a secret goes in its own field only: the URL prints with the Config)"
}

// ValidPort reports whether port, a URL's (url.URL.Port: digits, or
// empty), is none or one a connection can be made to: a larger number
// passes url.Parse and fails only when dialed, as a transient error that
// every retry repeats.
func ValidPort(port string) bool {
	if port == "" {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// ASCIIHost returns host, a host name, as resolvers, certificates, SMTP
// and net/http know it: a name outside ASCII in its A-labels (RFC 5890,
// with idna.Lookup's mapping, as net/http converts it), a name in ASCII
// as it is (its case and any final "." kept). It fails for a name
// outside ASCII that has no A-labels. Every package converts a host so,
// through this one function.
func ASCIIHost(host string) (string, error) {
	for i := 0; i < len(host); i++ {
		if host[i] >= utf8.RuneSelf {
			return idna.Lookup.ToASCII(host)
		}
	}
	return host, nil
}

// HostProblem is the problem of a URL whose host ValidHost refuses.
const HostProblem = `host: not a host name (letters, digits, "-" and "_" in labels of 1 to 63, separated by dots) nor an IP address`

// ValidHost reports whether u's host is an IP address or a name a lookup
// can resolve, as net/http dials it: in its IDNA ASCII form when it has one
// (idna.Lookup, as net/http converts it), else as it is, with the rules the
// Go resolver applies to a name (underscores allowed). url.Parse checks IP
// literals, not names: a name no lookup can resolve ("hooks,example.com",
// "a..b") would fail every attempt as a transient "no such host".
func ValidHost(u *url.URL) bool {
	if strings.HasPrefix(u.Host, "[") {
		return true // an IPv6 literal, which url.Parse checked
	}
	host := u.Hostname()
	if a, err := ASCIIHost(host); err == nil {
		host = a
	}
	host = strings.TrimSuffix(host, ".") // fully qualified
	if host == "" || len(host) > 253 {
		return false
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Base checks raw (r.Default when empty), an API's base URL in field of
// package pkg's Config, as Check does but never with a query, and returns
// it without trailing slashes, ready for paths to be appended.
func Base(pkg, field, raw string, r Rules) (string, error) {
	r.Query = false
	if _, err := Check(pkg, field, raw, r); err != nil {
		return "", err
	}
	if raw == "" {
		raw = r.Default
	}
	return strings.TrimRight(raw, "/"), nil
}
