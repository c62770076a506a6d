// Package redact keeps secrets out of everything outagecast prints: errors,
// log records, reports, and printed or encoded configuration.
//
// Secret is a string type for every credential in a channel's Config: it
// prints as REDACTED under every fmt verb, in log/slog records, and when
// encoded as JSON, YAML or text, so a Config can be logged, dumped or
// serialised without a credential in the output. Reveal gives the value to
// the code that must send it.
//
// URL is a string type for URLs that carry credentials in their user
// information, path or query (webhook URLs of chat platforms): it prints
// its scheme and host only.
//
// A Redactor removes known secrets from text a server sent back or an
// error produced, in every encoding a server might echo them in: as is,
// URL-escaped, JSON-escaped, hexadecimal, base64 (standard and URL
// alphabets, padded or not) and, for a login, the base64 of the SASL PLAIN,
// SMTP AUTH PLAIN and LOGIN, HTTP Basic and XOAUTH2 forms of the user and
// password.
//
// # Limits
//
// Secret cannot stop code that converts it to a plain string (string(s),
// s.Reveal()) and prints that, nor fmt's printing of a struct's unexported
// fields, which bypasses every method (for some verbs even behind a
// pointer): a type that holds secrets in unexported fields, such as a
// channel, implements fmt.Formatter and prints only what is safe, its name.
// A
// Redactor finds only the encodings listed above, of whole secrets; a
// server that echoes part of a secret, or transforms it otherwise, is not
// caught.
//
// # Errors
//
// Redactor.Error returns an error with the redacted text that still
// matches what the original matched with errors.Is and keeps the
// broadcast.Permanent and broadcast.RetryAfter marks, but never unwraps to
// the original, which holds the secret.
package redact

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
)

// Redacted is what a Secret, a hidden URL part or a redacted secret prints
// as.
const Redacted = "REDACTED"

// Secret is a credential: a token, a password, a signing key. It prints as
// REDACTED (an empty Secret as nothing), whatever the verb or encoder.
type Secret string

// Reveal returns the secret itself, for sending it where it belongs.
func (s Secret) Reveal() string { return string(s) }

// IsZero reports whether the secret is empty (not set).
func (s Secret) IsZero() bool { return s == "" }

func (s Secret) shown() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// String returns REDACTED, or "" for an empty Secret.
func (s Secret) String() string { return s.shown() }

// GoString returns REDACTED quoted, for %#v.
func (s Secret) GoString() string { return strconv.Quote(s.shown()) }

// Format prints REDACTED for every verb; %q and %#v quote it.
func (s Secret) Format(f fmt.State, verb rune) { format(f, verb, s.shown()) }

// LogValue returns REDACTED for log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.shown()) }

// MarshalJSON encodes REDACTED as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.shown())), nil }

// MarshalText encodes REDACTED, for encoders that use encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.shown()), nil }

// MarshalYAML encodes REDACTED, for YAML encoders that look for this
// method (go.yaml.in/yaml/v3 and gopkg.in/yaml.v3).
func (s Secret) MarshalYAML() (any, error) { return s.shown(), nil }

// URL is a URL that may carry credentials in its user information, path or
// query, such as a chat platform's incoming-webhook URL. It prints as its
// scheme and host, with "/…" for a path and "?…" for a query, as in
// "https://hooks.slack.com/…", whatever the verb or encoder; a URL that
// does not parse prints as REDACTED.
type URL string

// Reveal returns the URL itself, for sending requests to it.
func (u URL) Reveal() string { return string(u) }

// IsZero reports whether the URL is empty (not set).
func (u URL) IsZero() bool { return u == "" }

// String returns the URL without its secrets: scheme and host only.
func (u URL) String() string { return ShowURL(string(u)) }

// GoString returns String quoted, for %#v.
func (u URL) GoString() string { return strconv.Quote(u.String()) }

// Format prints String for every verb; %q and %#v quote it.
func (u URL) Format(f fmt.State, verb rune) { format(f, verb, u.String()) }

// LogValue returns String for log/slog.
func (u URL) LogValue() slog.Value { return slog.StringValue(u.String()) }

// MarshalJSON encodes String as a JSON string.
func (u URL) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(u.String())), nil }

// MarshalText encodes String.
func (u URL) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// MarshalYAML encodes String.
func (u URL) MarshalYAML() (any, error) { return u.String(), nil }

// ShowURL returns raw without what may be secret: its scheme and host (with
// the port), then "/…" when it has a path and "?…" when it has a query, as
// in "https://hooks.slack.com/…". A URL without a scheme or host, or that
// does not parse, gives REDACTED; "" gives "".
func ShowURL(raw string) string {
	if raw == "" {
		return ""
	}
	p, err := url.Parse(raw)
	if err != nil || p.Scheme == "" || p.Host == "" {
		return Redacted
	}
	s := p.Scheme + "://" + p.Host
	if p.Path != "" && p.Path != "/" || p.Opaque != "" {
		s += "/…"
	}
	if p.RawQuery != "" || p.ForceQuery {
		s += "?…"
	}
	return s
}

func format(f fmt.State, verb rune, s string) {
	if verb == 'q' || verb == 'v' && f.Flag('#') {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}
