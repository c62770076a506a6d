package httpx

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
)

// Redacted replaces whatever redaction removes.
const Redacted = "REDACTED"

// RedactURL returns rawURL with its user information and every query value
// replaced by REDACTED and its fragment dropped, as in
// "https://REDACTED@hooks.example/x?token=REDACTED". The path is kept: put
// no secret in a path you want kept out of errors, or pass it to Redact. A
// URL that does not parse gives "REDACTED".
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Redacted
	}
	return redactParsed(u)
}

func redactParsed(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(Redacted)
	}
	c.Fragment, c.RawFragment = "", ""
	if c.RawQuery != "" {
		c.RawQuery = redactQuery(c.RawQuery)
	}
	return c.String()
}

// redactQuery keeps the keys of a query in order and replaces its values.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		if k, _, ok := strings.Cut(p, "="); ok {
			parts[i] = k + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

// urlPattern finds URLs in error text, up to a quote, space or bracket.
var urlPattern = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>()\[\]{}` + "`" + `]+`)

// RedactString returns s with every URL in it redacted as by RedactURL and
// every occurrence of each non-empty secret (also in its URL-escaped forms)
// replaced by REDACTED.
func RedactString(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for _, form := range []string{sec, url.QueryEscape(sec), url.PathEscape(sec)} {
			s = strings.ReplaceAll(s, form, Redacted)
		}
	}
	return urlPattern.ReplaceAllStringFunc(s, func(m string) string {
		// A URL that does not parse is dropped whole: it may hold anything.
		return RedactURL(m)
	})
}

// Redact returns err with its text redacted as by RedactString. When the
// text had nothing to redact, err itself is returned. Otherwise the result
// keeps what callers test for: errors.Is still matches what err matched
// (context.Canceled, for one), the broadcast.Permanent and
// broadcast.RetryAfter marks are kept, and errors.As still finds a
// *StatusError (a redacted copy); the original error, which holds the
// secret, cannot be unwrapped. Redact(nil) is nil.
func Redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := RedactString(msg, secrets...)
	if clean == msg {
		return err
	}
	var out error = &redactedError{msg: clean, orig: err, secrets: secrets}
	if d, ok := broadcast.RetryDelay(err); ok {
		out = broadcast.RetryAfter(out, d)
	}
	if broadcast.IsPermanent(err) {
		out = broadcast.Permanent(out)
	}
	return out
}

type redactedError struct {
	msg     string
	orig    error
	secrets []string
}

func (e *redactedError) Error() string { return e.msg }

// Format prints the redacted text for every verb, %#v and %d included: the
// fields hold the original error.
func (e *redactedError) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", e.msg)
		return
	}
	_, _ = io.WriteString(f, e.msg)
}

// Is reports a match of the original chain without exposing it.
func (e *redactedError) Is(target error) bool { return errors.Is(e.orig, target) }

// As hands out only a redacted copy of a *StatusError.
func (e *redactedError) As(target any) bool {
	p, ok := target.(**StatusError)
	if !ok {
		return false
	}
	var se *StatusError
	if !errors.As(e.orig, &se) {
		return false
	}
	*p = &StatusError{Status: se.Status, Snippet: RedactString(se.Snippet, e.secrets...)}
	return true
}

// redactURLError redacts the URL of the *url.Error the http package returns,
// keeping the error it wraps (which names no URL) for errors.Is and
// net.Error checks.
func redactURLError(err error) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	return &url.Error{Op: ue.Op, URL: RedactURL(ue.URL), Err: ue.Err}
}
