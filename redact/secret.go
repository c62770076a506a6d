// Package redact keeps secrets out of everything outagecast prints: errors,
// log records, reports, and printed or encoded configuration.
//
// Secret is the type of every credential in a channel's Config: it
// prints as REDACTED under every fmt verb, in log/slog records, and when
// encoded as JSON, YAML or text, so a Config can be logged, dumped or
// serialised without a credential in the output. Reveal gives the value to
// the code that must send it.
//
// URL is the type of URLs that carry credentials in their user
// information, path or query (webhook URLs of chat platforms): it prints
// its scheme and host only.
//
// A Redactor removes known secrets from text a server sent back or an
// error produced, in every encoding a server might echo them in: as is,
// and, for one that looks like a token (sixteen bytes or more, or eight
// with a digit), upper- and lower-cased, as servers that fold case echo
// it (every letter, or its ASCII letters alone, as IRC servers fold
// them), each also in base64 and inside longer base64 text;
// URL-escaped as the common encoders write it (Go, a whole path as
// url.URL.EscapedPath writes it among them, JavaScript, Python, Java, PHP,
// .NET: hex digits in either case, a space as "+" or "%20"), also with
// escapes mixed as no one encoder writes them ("%2f" beside "%2B", "+"
// escaped and "=" not, a letter escaped, "%C3%a9" for "é");
// JSON-escaped as the common encoders write it (Go, JavaScript, Python,
// PHP, Java's Gson, .NET), also with their escapes mixed (PHP's "\/" with
// "\u003C", hex digits in either case), or quoted by Go's %q or %+q; HTML-escaped as
// the common writers write it (named, decimal or hex references; quotes
// escaped or left alone; Go's html/template also in an unquoted
// attribute), and in XML or HTML with any of its characters as a
// character reference, decimal or hex ("&#65;", "&#x41;", "&#X41;",
// leading zeros or not) or named as XML names it or HTML names an ASCII
// character ("&Tab;", "&NewLine;"), as XML writers write a tab or a line
// break ("&#x9;", "&#xA;", "&#13;"); hexadecimal, lower- or upper-case
// digits: the secret as is, and any of the forms above of six bytes or
// more (a %-escaped one, a login's SASL PLAIN form in base64), without
// separators (Go's %x and %X, hex.EncodeToString; xxd -p, also across
// its lines), byte by byte with a space, ":", "-" or a tab between the
// bytes, or in groups of two bytes with a space between them ("7333
// 6372", xxd's and tcpdump -X's default), as a server dumping the bytes it received writes them,
// and across the lines of a dump, each line's bytes after its offset
// ("00000010  73 33 63 …", as hexdump -C and xxd -g1 write it;
// "00000010: 7333 6372 …", as xxd does; "\t0x0010:  7333 6372 …", as
// tcpdump -X does), where the secret's characters in the text column
// beside the bytes are replaced too;
// quoted-printable, as an e-mail body writes it,
// and Q-encoded, as a MIME encoded-word in a header writes it (Go's mime
// and Python's email packages); base64 (standard and URL alphabets, padded
// or not), also inside longer base64 text wherever the secret starts in it,
// and any of the forms above of six bytes or more (%-escaped in a form
// body, JSON-escaped, upper-cased) inside base64 text that stands as a
// word of its own, also wrapped as MIME wraps it, as a server that echoes
// the request it received in base64 writes them; and, for a login, the base64 of the SASL PLAIN, SMTP AUTH PLAIN and LOGIN, HTTP
// Basic and XOAUTH2 forms of the user and password. A secret of many lines
// (a PEM key) is also found with its line breaks as "\r\n" or as "\n",
// in each of these and in quoted-printable that keeps them as line breaks,
// as an e-mail body of text does (the forms that differ only by them,
// as is or %-, JSON- or HTML-escaped, held once: a text's "\r\n", so
// written, is read as "\n"; but inside base64 or hex text, where such a
// form %- or HTML-escaped is found with "\n" only, JSON-escaped with
// both; a part of two lines of a key, below, with both in every
// encoding). Of a PEM key (a client certificate's),
// also one held on one line with its line breaks as "\n" or "\r\n"
// escapes (as a JSON string, an env file or a YAML double-quoted string
// writes it) or escaped twice, "\\n" (a JSON document in a JSON string, a
// Kubernetes secret's manifest quoted in a log line), each line of base64 of its body is also found alone, in each of these
// forms (a parser's error quoting the line it failed at), and so is its
// body without its BEGIN and END lines, line by line, or joined into one
// line of base64; a line of sixteen characters or more, which no ordinary
// text holds by chance: a shorter one, as a body's last line often is, is
// found only with the line before it or the END line after it (it holds
// fewer than twelve bytes of the key, not always secret ones: an OpenSSH
// key's last are padding every such key ends in), and a body wrapped at
// fewer characters only whole. The BEGIN and END lines alone, which say what
// the block is, are no secret. The bytes each block decodes to (its
// DER, as encoding/pem decodes it) are also found whole in hex, lower-
// or upper-case, and in a hex dump or byte by byte as above (a program
// printing the key it read with %x or hex.Dump), in no other encoding:
// base64 of them is the body itself; and in part, in hex with or without
// separators, any sixteen of them or more in a row, as far as they go on
// (one line of hex.Dump's, or of xxd -p's, thirty, also across a dump's
// or xxd -p's lines): not fewer, which a MAC address or a short hash
// writes too (see minDERPart), and so not the part of a dump's line a
// cut left alone, under sixteen bytes; the structure that every key of a
// kind and size starts with, where it is as long, is found in another
// such key's dump too. URL-escaped forms are
// also found escaped again, twice at most, as a page quoting an escaped
// URL in a link writes them ("=" as "%3D", then "%253D"), also where the
// first escapes were mixed ("%252f" beside "%252B"); JSON- and
// HTML-escaped forms, their escapes mixed too, are also found %-escaped,
// as a URL carrying a JSON or HTML text writes them; any form holding a
// space (the secret upper-cased, quoted-printable, JSON-escaped) is also
// found with its spaces as "+", as a form body or a query writes them.
// A secret given to Redactor.WithWords (an IRC channel key, which may be
// a letter) is found as written, or with the escapes a text may mix
// (%-escapes, JSON escapes, character references) decoded, in none of
// the other encodings, and only where it stands as a word of its own,
// whatever its length, in the same pass as the others.
// Every byte of every occurrence is replaced, also where occurrences
// overlap; text cut short is redacted with Redactor.Truncated, which also
// leaves out the start of a secret the cut left at its end.
//
// # Limits
//
// Secret cannot stop code that reveals it (s.Reveal()) and prints that, or
// that copies the value into a plain string field: keep credentials in
// Secret fields all the way to where they are sent. Nor can it stop a
// printer that reads values by reflection and calls none of their methods
// (go-spew with DisableMethods, as testify prints the diff of a failed
// assert.Equal): it follows the pointer to the value. Two Secrets compare
// equal with == only when one was copied from the other: compare their
// Reveal results (reflect.DeepEqual compares the values too). A
// Redactor finds only the encodings listed above, of whole secrets, also
// split across lines as e-mail splits them: at quoted-printable's soft
// line breaks ("=" ending a line, at 76 characters), and in base64 that
// MIME wraps (a line of 60 or more base64 characters alone, then one that
// goes on), where the whole occurrence, line breaks included, becomes one
// REDACTED; also where a JSON string or an XML text quoting the message
// writes those line breaks as escapes ("=\r\n", "=&#xD;&#xA;"), though
// base64 of a secret inside wrapped base64 so quoted is not. A server
// that echoes part of a secret (but for the parts of a PEM key above),
// splits it across lines otherwise, or transforms it otherwise, is not
// caught. Truncated also
// leaves out the start of a secret so split, or written with references,
// at the end of the text it is given, and a line break, reference or
// %- or JSON escape the cut left unfinished there. Inside longer
// base64 text, the one or two characters at each end of the secret's run,
// which it shares with the bytes around it, stay, and a secret shorter
// than five bytes is found only in base64 of its own. A secret is replaced
// wherever it appears, also inside a word, but for a form of it shorter
// than six bytes (a password of a few characters, as is or in hex), which
// is replaced only where it stands apart, where no letter (of any
// script: "é" is one) or digit runs on from it on either side ("password
// e", "pass=12"; also after an escape, as "\ne" in JSON or "=3De" in
// quoted-printable), so that a one-letter password does not take that
// letter out of all text: inside a word or number it stays. One of marks
// alone, no letter or digit ("+", "-+"), stands apart only where no
// letter or digit touches it ("key +", "(+)"), so that "(+k)" and "+R"
// keep their "+". Hex written byte by byte is read only in
// groups of one byte or two ("73 33", "7333"), not of four or more
// ("73336372", as xxd -g4 writes them: such a group is read alone, as hex
// without separators, where a form fits in it), and a form shorter than
// six bytes is not looked for there, nor in hex without separators but
// for a secret so short as is (its %x): times and MAC addresses are
// written so too.
//
// # Errors
//
// Redactor.Error returns an error with the redacted text that still
// matches what the original matched with errors.Is and keeps the
// broadcast.Permanent, broadcast.RetryAfter and broadcast.Uncertain marks
// (see broadcast.MarkAs: one whose outcome is unknown in part, a join of a
// refusal and a timeout, is marked Uncertain), but never unwraps to the original, which holds
// the secret: errors.As finds none of the original's types in it, but for
// the parts of a join (errors.Join, anything with Unwrap() []error, also
// wrapped: then through a copy of the join, its text redacted, as the
// original unwraps to the join), which it unwraps to, each redacted so: a
// part in whose tree
// nothing prints a secret is found as it is (where the parts split a
// secret between them, each is given hidden, its text REDACTED, its marks
// and what errors.Is matches kept, a TargetsError as a copy whose targets
// show as REDACTED, a DeliveryError or PreviewError as a copy naming its
// channel whose error is hidden so, and no other of its types found: it
// never unwraps to the part, whose text holds a piece of the secret); for
// a *broadcast.TargetsError, which it unwraps to a copy of, each target's
// error redacted so; for a *broadcast.DeliveryError or
// *broadcast.PreviewError, which it unwraps to a copy of naming the
// channel, its error redacted so; and for a *url.Error (net/http's
// client's), which it unwraps to a copy of, its Op as is, its URL as the
// Redactor shows it, its error redacted so (see ReplaceError). Where the
// original held a net.Error, errors.As finds one in the redacted error
// whose Timeout answers as the original's did.
//
// Redactor.Error does not panic on bad input: an error whose methods
// panic (a typed nil in an error, such as (*net.OpError)(nil), or one with
// a nil field that its Error or Unwrap reads) is read as far as it
// answers; its text, where Error panics, is what fmt prints of it, but
// for the panic's value, shown by its type only unless it is a runtime
// error (the value may quote a secret the Redactor does not know), and
// such an error, or one that holds it, is given redacted, never as it is.
// So is an error whose text quotes, as fmt does, the value of a panic
// that no error of its tree is known to panic with (of a fmt.Stringer's
// String method, of the cause of an error that formats it without
// Unwrap, of an Error method that panicked only when the text was made):
// the value shows as "a value not shown", and where its end cannot be
// told, the rest of the text is cut.
package redact

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Redacted is what a Secret, a hidden URL part or a redacted secret prints
// as.
const Redacted = "REDACTED"

// Secret is a credential: a token, a password, a signing key. It prints as
// REDACTED (an unset Secret as nothing), whatever the verb, the encoder
// (encoding/gob, which ignores text marshalling, refuses one: "has no
// exported fields"), or the path fmt takes: the value sits behind a
// pointer, so even where fmt
// ignores every method (a struct's unexported fields, a "bad verb" such as
// %p, or %s of a pointer inside a map) it prints an address, never the
// value. Make one with NewSecret; decoding JSON, YAML or text into a Secret
// sets it. The zero Secret is unset.
type Secret struct{ v *string }

// NewSecret returns a Secret holding s; NewSecret("") is the zero, unset
// Secret.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{v: &s}
}

// Reveal returns the secret itself, for sending it where it belongs.
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether the secret is unset (or empty).
func (s Secret) IsZero() bool { return s.Reveal() == "" }

func (s Secret) shown() string {
	if s.IsZero() {
		return ""
	}
	return Redacted
}

// String returns REDACTED, or "" for an unset Secret.
func (s Secret) String() string { return s.shown() }

// GoString returns REDACTED quoted, for %#v.
func (s Secret) GoString() string { return strconv.Quote(s.shown()) }

// Format prints REDACTED for every verb; %q and %#v quote it.
func (s Secret) Format(f fmt.State, verb rune) { format(f, verb, s.shown()) }

// LogValue returns REDACTED for log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.shown()) }

// MarshalJSON encodes REDACTED as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.shown())), nil }

// MarshalText encodes REDACTED, for encoders that use encoding.TextMarshaler
// (YAML among them).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.shown()), nil }

// UnmarshalText sets the secret from text: JSON and YAML decoders use it
// for strings.
func (s *Secret) UnmarshalText(text []byte) error {
	*s = NewSecret(string(text))
	return nil
}

// URL is a URL that may carry credentials in its user information, path or
// query, such as a chat platform's incoming-webhook URL. It prints as its
// scheme and host, with "/…" for a path and "?…" for a query, as in
// "https://hooks.slack.com/…", whatever the verb, encoder or path fmt
// takes (like Secret, it holds its value behind a pointer); a URL that does
// not parse, or that ShowURL otherwise shows as REDACTED, prints so. Make one with NewURL; decoding JSON, YAML or
// text into a URL sets it. The zero URL is unset.
type URL struct{ v *string }

// NewURL returns a URL holding raw; NewURL("") is the zero, unset URL.
func NewURL(raw string) URL {
	if raw == "" {
		return URL{}
	}
	return URL{v: &raw}
}

// HoldsCredentials reports whether u may hold credentials, which WithURL
// would redact beyond the URL itself: a user name or password (an "@"
// anywhere, as a password's "/" may cut the user information short), a
// query, a fragment, a path segment that looks like a token (as WithURL
// takes them), or a URL whose parts cannot be told apart, which ShowURL
// shows as REDACTED and WithURL hides whole: one that does not parse, is
// opaque, or lacks a scheme or host (a password written where a URL
// goes, "hunter2"; "file:///…"), or whose host a password may have cut
// short. A URL of a scheme, a host and a path of words
// ("https://docs.example.com/guides/status") holds none: WithURL would
// hide nothing of it but its path, in the URL itself. A Redactor need not
// hold it, which saves the memory of its encodings (a status page's
// thousands of links).
func (u URL) HoldsCredentials() bool {
	raw := u.Reveal()
	if raw == "" {
		return false
	}
	p, err := url.Parse(raw)
	if err != nil || p.Opaque != "" || p.Scheme == "" || p.Host == "" || cutShort(p) ||
		p.User != nil || p.RawQuery != "" || p.ForceQuery || p.Fragment != "" || strings.Contains(raw, "@") {
		return true
	}
	for _, seg := range strings.Split(p.EscapedPath(), "/") {
		for _, v := range asSentAndDecoded(seg, url.PathUnescape) {
			if pathTokenLike(v) {
				return true
			}
		}
	}
	return false
}

// Reveal returns the URL itself, for sending requests to it.
func (u URL) Reveal() string {
	if u.v == nil {
		return ""
	}
	return *u.v
}

// IsZero reports whether the URL is unset (or empty).
func (u URL) IsZero() bool { return u.Reveal() == "" }

// String returns the URL without its secrets: scheme and host only.
func (u URL) String() string { return ShowURL(u.Reveal()) }

// GoString returns String quoted, for %#v.
func (u URL) GoString() string { return strconv.Quote(u.String()) }

// Format prints String for every verb; %q and %#v quote it.
func (u URL) Format(f fmt.State, verb rune) { format(f, verb, u.String()) }

// LogValue returns String for log/slog.
func (u URL) LogValue() slog.Value { return slog.StringValue(u.String()) }

// MarshalJSON encodes String as a JSON string. (strconv.Quote would not
// do: a host may hold bytes that are not UTF-8, which it writes as \x
// escapes, which JSON has not.)
func (u URL) MarshalJSON() ([]byte, error) { return json.Marshal(u.String()) }

// MarshalText encodes String.
func (u URL) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// UnmarshalText sets the URL from text.
func (u *URL) UnmarshalText(text []byte) error {
	*u = NewURL(string(text))
	return nil
}

// ShowURL returns raw without what may be secret: its scheme and host (with
// the port), then "/…" when it has a path and "?…" when it has a query, as
// in "https://hooks.slack.com/…". A URL without a scheme or host, that
// does not parse, or whose password (or user name, on a host without a
// dot) a "/", "?" or "#" not %-escaped may have cut short, gives REDACTED:
// one with a port and an "@" in its path, query or fragment, but for one
// on localhost or an IP address, or with a password given before its
// host, whose "@" starts a segment followed by a name alone
// (http://localhost:8080/@alice and https://u:pw@host.example:8443/@team
// show; http://bot:1234/@alice, user "bot", password "1234/", does not); one on a host without a dot
// and an "@" there inside a segment, or at a segment's start followed by
// a host name (one with a dot or a port, an IPv6 address, localhost:
// http://TOKEN/@localhost/) or on a host that looks like a token (eight
// characters or more with a digit, or sixteen or more: http://TOKEN/@alice,
// though http://intranet/@alice shows). "" gives "".
func ShowURL(raw string) string {
	if raw == "" {
		return ""
	}
	p, err := url.Parse(raw)
	if err != nil || p.Scheme == "" || p.Host == "" || cutShort(p) {
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

// cutShort reports a URL whose password, or user name, a "/", "?" or
// "#" ended: url.Parse then takes the user information up to that
// character for the host, a user name and the password's digits before
// it for a host and a port (an empty one when none), and the rest, with
// its "@" and the real host, for the path, query or fragment. A user name
// that holds an "@" unescaped (an e-mail address) is cut at its last one
// too, and the rest taken for user information, host and port. An "@"
// that belongs in the path, query or fragment is written %40.
func cutShort(p *url.URL) bool {
	if strings.HasSuffix(p.Host, ":") {
		return true
	}
	rest := []string{p.EscapedPath(), p.RawQuery, p.EscapedFragment()}
	if p.Port() != "" {
		// The port may be the digits a password starts with, and the
		// host a user name, which may hold a dot (first.last), unless
		// it is localhost or an IP address, or a password was given
		// before it: its user information ended at its "@".
		if _, pw := p.User.Password(); !pw && !hostOnly(p.Hostname()) {
			return holdsAt(rest)
		}
		return userinfoEnds(rest)
	}
	// A user name without a password (a token, https://TOKEN@host/) that
	// such a character cut: the host is the token's start, which has no
	// dot.
	if p.User != nil || strings.ContainsAny(p.Hostname(), ".:") {
		return false
	}
	if tokenLike(p.Hostname()) && holdsAt(rest) {
		return true
	}
	return userinfoEnds(rest)
}

// hostOnly reports whether host cannot be a user name: localhost or an IP
// address.
func hostOnly(host string) bool {
	return strings.EqualFold(host, "localhost") || net.ParseIP(host) != nil
}

// holdsAt reports whether any of rest holds an "@".
func holdsAt(rest []string) bool {
	for _, r := range rest {
		if strings.Contains(r, "@") {
			return true
		}
	}
	return false
}

// userinfoEnds reports whether an "@" in the path, query or fragment of a
// URL may end user information a "/", "?" or "#" cut short: one inside a
// segment (after anything but "/"), or one at a segment's start followed by
// a host name (a dot, a port, an IPv6 address, localhost), as when that
// character was the user information's last (https://TOKEN/@api.example.com/).
// An "@" that starts a segment and is followed by a name alone, as in
// http://localhost:8080/@alice, is the path's.
func userinfoEnds(rest []string) bool {
	for _, r := range rest {
		for i := range len(r) {
			if r[i] != '@' {
				continue
			}
			if i > 0 && r[i-1] != '/' {
				return true
			}
			host, _, _ := strings.Cut(r[i+1:], "/")
			if strings.ContainsAny(host, ".:[") || strings.EqualFold(host, "localhost") {
				return true
			}
		}
	}
	return false
}

func format(f fmt.State, verb rune, s string) {
	if verb == 'q' || verb == 'v' && f.Flag('#') {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}
