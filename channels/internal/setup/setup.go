// Package setup is what every channel's New does alike: errors that name
// the Config field at fault, the rules for a channel's name, for a token
// sent in a header and for a list that names each target once, the
// template set with the channel's own template added, and a trial
// rendering of sample updates so that a template that fails on every
// update fails in New rather than at send time.
//
// # Errors
//
// Every error is a *Error, whose text is "<package>: Config.<field>:
// <problem>", as "slack: Config.Token: missing". A channel that restates
// config errors for its URL form finds the field with errors.As. The
// problem never quotes a secret: callers pass none, and quote a value the
// user gave only through Quote, which leaves out one that could show a
// secret. A New that checks its whole Config collects its faults in
// Faults, and returns them joined (errors.Join), a line each.
package setup

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/credshape"
	"github.com/outagecast/outagecast/internal/secrets"
	"github.com/outagecast/outagecast/redact"
	"github.com/outagecast/outagecast/templates"
)

// Error is an error about one field of a channel's Config.
type Error struct {
	Pkg     string // the channel's package, as "slack"
	Field   string // the field, as "BaseURL" or "Channels[2]"
	Problem string // what is wrong with it
	Err     error  // the error Problem says, if any (redact.ErrSecretInName)
}

// Error returns "<Pkg>: Config.<Field>: <Problem>".
func (e *Error) Error() string { return e.Pkg + ": Config." + e.Field + ": " + e.Problem }

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Faults collects the faults New finds in a Config, so that its error
// names every one, rather than the first: a user mending a file would
// otherwise learn them a run at a time. The zero value is ready to use.
type Faults struct{ errs []error }

// Add adds err unless it is nil, and reports whether it did: a check
// whose result a later check needs is skipped when it failed.
func (f *Faults) Add(err error) bool {
	if err == nil {
		return false
	}
	f.errs = append(f.errs, err)
	return true
}

// Err returns the faults added, joined by errors.Join (their texts, a
// line each, which the config package names each at its key's line), or
// nil when there is none.
func (f *Faults) Err() error { return errors.Join(f.errs...) }

// Errorf returns an *Error about field of package pkg's Config.
func Errorf(pkg, field, format string, args ...any) error {
	return &Error{Pkg: pkg, Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Name returns a channel's name, def when name is empty. A name given
// must pass broadcast.CheckName: it keys Update.Overrides and stands in
// Results, events, logs, metrics and errors, unredacted. So it must not
// hold a secret of cfg, the channel's Config (redact.CheckName), of 6
// bytes or more (redact.MinNameSecret), as config finds them too: a
// redact.Secret, or what redact.Redactor.WithURLs redacts of a redact.URL
// or of a string holding "://", in its fields, lists, maps and what its
// pointers point to (not interfaces: a client's transport), or one of
// more (an IRC channel's key).
//
// The type says what is secret, not what the value looks like: every
// value of a redact.Secret field counts, a webhook's header values
// (Config.Headers) among them, whatever the header ("X-Source:
// outagecast" refuses the name "outagecast-prod"). The error says which
// field of cfg holds the secret ("…; it holds the value of
// Config.Headers[…]"), so that the user sees why; it never quotes the name,
// the secret or a map's key. A nil cfg checks no secrets: for a name
// already checked.
func Name(pkg, name, def string, cfg any, more ...redact.Secret) (string, error) {
	if name == "" {
		return def, nil
	}
	if err := broadcast.CheckName(name); err != nil {
		return "", Errorf(pkg, "Name", "%v", err)
	}
	if cfg == nil && len(more) == 0 {
		return name, nil
	}
	if err := secrets.CheckName(name, cfg, more); err != nil {
		return "", &Error{Pkg: pkg, Field: "Name", Problem: err.Error(), Err: err}
	}
	return name, nil
}

// Token checks a required secret of field that the channel sends in an
// HTTP header (a bearer token, an API key): printable ASCII only, so that
// it cannot break the header, and a value the header cannot carry fails
// here rather than at send time. The error does not quote it.
func Token(pkg, field string, tok redact.Secret) error {
	switch t := tok.Reveal(); {
	case t == "":
		return Errorf(pkg, field, "missing")
	case strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r >= 0x7f }):
		return Errorf(pkg, field, "holds white space, a control character or a character outside ASCII")
	}
	return nil
}

// Line checks a secret of field that is one line of printable characters
// (a password, an API key and its secret): no white space around it and
// no control character in it, such as the line break of two lines of a
// file pasted as one value, which the platform would refuse at every
// request with an answer naming no field. What is sends what the value
// is, in the error's advice, as "X's keys and tokens". The error does not
// quote the value. An empty value passes: whether the field is required
// is the caller's to say.
func Line(pkg, field, what string, v redact.Secret) error {
	switch s := v.Reveal(); {
	case strings.TrimSpace(s) != s:
		return Errorf(pkg, field, "leading or trailing white space")
	case strings.ContainsFunc(s, lineBreaking):
		return Errorf(pkg, field, "holds a control character (such as a line break): %s one line of printable characters", what)
	}
	return nil
}

// lineBreaking reports whether r is a control character or one of the
// Unicode line and paragraph separators, which are not control characters
// but break a line all the same.
func lineBreaking(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

// Distinct checks that no two of names, the entries of the list in field
// of package pkg's Config, name the same target once folded by fold (nil:
// as they are), the platform's own rule for that. The error names the
// later entry and the earlier one by their places, quoting neither: an
// entry pasted twice may be a secret.
func Distinct(pkg, field string, names []string, fold func(string) string) error {
	return DistinctBeside(pkg, field, names, nil, fold)
}

// DistinctBeside is Distinct of the entries of names not refused (those
// whose refused[i] is true; a nil refused refuses none), each named by
// its place in the whole list: two entries accepted that name the same
// target are a fault of their own beside another entry refused, which
// they do not depend on.
func DistinctBeside(pkg, field string, names []string, refused []bool, fold func(string) string) error {
	seen := make(map[string]int, len(names))
	for i, name := range names {
		if i < len(refused) && refused[i] {
			continue
		}
		key := name
		if fold != nil {
			key = fold(name)
		}
		if j, dup := seen[key]; dup {
			return Errorf(pkg, fmt.Sprintf("%s[%d]", field, i), "the same as %s[%d]", field, j)
		}
		seen[key] = i
	}
	return nil
}

// Templates returns set (nil: templates.Default()) with the template name
// parsed from text added, unless set has one of that name: the channel's
// own template, which users may replace.
func Templates(pkg string, set *templates.Set, name, text string) (*templates.Set, error) {
	if set == nil {
		set = templates.Default()
	}
	if slices.Contains(set.Names(), name) {
		return set, nil
	}
	out, err := set.With(name, text)
	if err != nil {
		return nil, Errorf(pkg, "Templates", "%v", err)
	}
	return out, nil
}

// Template checks that set holds the template name, the value of field
// of package pkg's Config, and that it is a base name: a variant for a
// status ("short.resolved") rendered every update, its text saying
// "Resolved" of the first update too, where rendering the base name
// picks the variant of each update's status. The error does not quote
// name, which may be a secret pasted under the wrong key: it lists the
// names set holds (without the variants), which a user chose.
func Template(pkg, field string, set *templates.Set, name string) error {
	names := set.Names()
	base, _, variant := strings.Cut(name, ".")
	if variant && slices.Contains(names, name) {
		return Errorf(pkg, field, "a variant for one status: name its base template, %s, which renders each update with the variant of its status", base)
	}
	if slices.Contains(names, name) {
		return nil
	}
	names = slices.DeleteFunc(names, func(n string) bool { return strings.Contains(n, ".") })
	return Errorf(pkg, field, "not in Config.Templates (want %s)", orList(names))
}

// orList writes words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// Samples returns the updates Try renders: a plain update, the same as a
// correction, the same with an override for channel, and a correction with
// that override (a channel may render an override differently for a
// correction, as e-mail's status line does); then the plain update in
// every other status, for a template's variant of a status
// ("short.resolved") or its branch for one, which would otherwise fail
// only on the update that says the outage is over.
func Samples(channel string) []broadcast.Update {
	u := broadcast.Update{Title: "Sample", Status: broadcast.StatusInvestigating, Body: "Sample body.",
		Advice: "No action needed.", URL: "https://status.example.com/incidents/sample"}
	u = u.WithDefaults(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	correction, override := u, u
	correction.Corrects = "u_sample"
	override.Overrides = map[string]string{channel: "Sample override."}
	both := override
	both.Corrects = correction.Corrects
	out := []broadcast.Update{u, correction, override, both}
	for _, st := range []broadcast.Status{broadcast.StatusIdentified, broadcast.StatusMonitoring,
		broadcast.StatusResolved, broadcast.StatusScheduled, broadcast.StatusInProgress,
		broadcast.StatusVerifying, broadcast.StatusCompleted} {
		v := u
		v.Status = st
		out = append(out, v)
	}
	return out
}

// Try renders every one of Samples(channel) with render, and returns the
// first error as an error of Config.Templates.
func Try(pkg, channel string, render func(broadcast.Update) error) error {
	for _, u := range Samples(channel) {
		if err := render(u); err != nil {
			return Errorf(pkg, "Templates", "%v", err)
		}
	}
	return nil
}

// TryText is Try with the template name of set, fitted to limit in m as
// set.Text fits it, as the rendering.
func TryText(pkg string, set *templates.Set, channel, name string, limit int, m templates.Measure) error {
	return Try(pkg, channel, func(u broadcast.Update) error {
		_, err := set.Text(channel, name, u, limit, m)
		return err
	})
}

// MaxQuoted is the most bytes of a value Quote quotes: a longer one is
// cut there, at a character boundary, so that an error stays one short
// line.
const MaxQuoted = 40

// NotQuotedURL is what Quote gives for a URL: it may carry credentials in
// its user information, path or query.
const NotQuotedURL = "a URL (not quoted: it may hold credentials)"

// Quote returns v, a value of a channel's Config (or of its URL form)
// that an error refuses, quoted for the error, so that the user sees
// which value is meant, unless it could show a secret. It is the one rule
// for quoting a user's value:
//
//   - a value holding a secret of cfg (its redact.Secret fields and what
//     redact.Redactor.WithURLs redacts of its redact.URL ones and of its
//     strings holding "://", as Name finds them; nil: none) or of more is
//     not quoted: a token pasted in the wrong field, or the fields
//     swapped;
//   - nor one with the shape of a credential: a URL ("://"), an
//     authorization ("Bearer …", "Basic …" and the like, as curl's
//     "Authorization: Bearer …"), a ":" before more text (as
//     "user:password", "user:password@host" and "X-Api-Key: …" have) or a
//     run of 16 or more letters, digits and the characters of base64 and
//     token alphabets with a digit in it (a token, a key);
//   - a value over MaxQuoted bytes is quoted cut there, "…" after it;
//   - any other value is quoted whole, as %q quotes it.
//
// A value not quoted is written as a few words saying what it is and
// why it is not quoted, as `a URL (not quoted: it may hold credentials)`,
// so that the error still reads: callers write Quote's result where %q's
// would stand, after the field's name, and say the shape they want.
func Quote(v string, cfg any, more ...redact.Secret) string {
	if why := notQuoted(v, cfg, more); why != "" {
		return why
	}
	if len(v) <= MaxQuoted {
		return strconv.Quote(v)
	}
	cut := MaxQuoted
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return strconv.Quote(v[:cut]) + "…"
}

// notQuoted returns why Quote does not quote v, or "".
func notQuoted(v string, cfg any, more []redact.Secret) string {
	if strings.Contains(v, "://") {
		return NotQuotedURL // also when a field of cfg holds it: said so
	}
	found := secrets.Find(cfg)
	if redact.CheckName(v, append(found.Secrets, more...), found.AllURLs()) != nil {
		return "a value (not quoted: it holds a secret of the channel's Config)"
	}
	if credshape.Authorization(v) {
		return "a value (not quoted: it holds an authorization, as \"Bearer …\" does)"
	}
	if credshape.Colon(v) {
		return `a value with ":" (not quoted: it may be "user:password" or a header with its value)`
	}
	if credshape.Token(v) {
		return "a value (not quoted: it may be a token)"
	}
	return ""
}
