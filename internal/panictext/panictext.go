// Package panictext says what of a recovered panic's value an error or a
// log line may show. A panic's value may quote what the code at fault
// held (panic("bad token " + tok), a *url.Error naming a URL with its
// password), and nothing downstream of the recover can tell a secret in
// it: the broadcast package's errors, marks and log records, the
// channels' errors (package guard) and the callbacks' log records
// (package slogguard) all show a panic's value through Text, so that one
// rule decides what is shown.
//
// The rule: a runtime error the runtime raised (a nil pointer
// dereference, an index out of range) is shown, its text being the
// runtime's own; a value Shown made (a panic recovered in one goroutine
// and raised again in another, whose text was made by this rule) is shown
// as is; any other value is named by its type only ("a string").
//
// An error's Error method (or its Format method) may panic too, and fmt,
// printing such an error, quotes the panic's value ("%!v(PANIC=Error
// method: bad token …)"), as
// does the text of any error that formats it (a *url.Error's of its Err,
// fmt.Errorf's of a %w): ErrorText reads an error's text and shows such a
// value by the same rule.
package panictext

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"

	"github.com/outagecast/outagecast/internal/errwalk"
)

// Text returns what of r, a recovered panic's value, may be shown (see
// the package doc): the runtime error's text, a Shown's, or "a T" for a
// value of any other type T.
func Text(r any) string {
	if re, ok := Runtime(r); ok {
		return re.Error()
	}
	if s, ok := r.(Shown); ok && s.Err != nil {
		return s.Err.Error()
	}
	return fmt.Sprintf("a %T", r)
}

// Runtime returns r as a runtime.Error when the runtime raised it: of a
// type of package runtime. A type of a caller's that has a RuntimeError
// method may hold anything.
func Runtime(r any) (runtime.Error, bool) {
	re, ok := r.(runtime.Error)
	if !ok {
		return nil, false
	}
	t := reflect.TypeOf(re)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return re, t.PkgPath() == "runtime"
}

// Shown is a panic's value whose text Text shows as is: the error of a
// panic recovered where it cannot be returned (a goroutine of a channel's
// own), made from what Text showed of that panic, and raised again where
// it can be (see package guard's Panics). Only this module can make one.
type Shown struct{ Err error }

// Error returns Err's text.
func (s Shown) Error() string { return s.Err.Error() }

// Unwrap returns Err.
func (s Shown) Unwrap() error { return s.Err }

// ErrorText returns err's text as it may be shown, and whether that is
// err's own. When err's Error method panics, the text is fmt's
// "%!v(PANIC=Error method: …)" with what Text shows of the panic's value
// ("<nil>" for a nil pointer, as fmt prints it). When an error of err's
// tree (Unwrap() error and Unwrap() []error, read as package errwalk
// reads them) has an Error method that panics, or a Format method that
// panics when called as fmt's %v calls it, and err's text quotes that
// panic's value as fmt does (a *url.Error formatting its Err, fmt.Errorf
// an error it wraps), the quote shows what Text shows of the value; where
// err's text does not quote it as fmt prints it when read again (escaped
// by a %q, or a value new at each call), the text is cut at the first
// quote of a panic's value that is not known to be err's own, and ends
// with what Text shows (see shownQuotes).
func ErrorText(err error) (text string, own bool) {
	text, r, ok := TryError(err)
	if !ok {
		if v := reflect.ValueOf(err); v.Kind() == reflect.Pointer && v.IsNil() {
			return "<nil>", false
		}
		return "%!v" + errorMark + Text(r) + ")", false
	}
	if !strings.Contains(text, panicMark) {
		return text, true
	}
	var quotes []quote
	top := true
	errwalk.Walk(err, func(e error) bool {
		if top { // err itself, read above (not compared: it may be of a type that is not comparable)
			top = false
			return false
		}
		if _, r, ok := TryError(e); !ok {
			quotes = append(quotes, quoteOf(errorMark, r))
		}
		if f, ok := e.(fmt.Formatter); ok {
			if r, ok := tryFormat(f); !ok {
				quotes = append(quotes, quoteOf(formatMark, r))
			}
		}
		return false
	})
	return shownQuotes(text, quotes)
}

// panicMark starts fmt's quote of the value of a panic in a method, after
// "%!" and the verb; errorMark and formatMark start it for an Error and a
// Format method.
const (
	panicMark  = "(PANIC="
	errorMark  = panicMark + "Error method: "
	formatMark = panicMark + "Format method: "
)

// quoteOf is the quote, after mark, of r, the value of a panic.
func quoteOf(mark string, r any) quote {
	quoted, read := errwalk.Try(func() string { return fmt.Sprintf("%v", r) })
	return quote{mark + quoted + ")", mark + Text(r) + ")", read}
}

// tryFormat calls f's Format method, as fmt's %v does, and returns the
// value of its panic and false, if it panics.
func tryFormat(f fmt.Formatter) (r any, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			r, ok = p, false
		}
	}()
	f.Format(discard{}, 'v')
	return nil, true
}

// discard is a fmt.State that writes nowhere and holds no flag.
type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) Width() (int, bool)          { return 0, false }
func (discard) Precision() (int, bool)      { return 0, false }
func (discard) Flag(int) bool               { return false }

// A quote is what fmt prints of the value of a panic in the Error or the
// Format method of an error in a tree, and what of it may be shown.
type quote struct {
	fmt, shown string
	read       bool // fmt is known: printing the value did not panic
}

// shownQuotes returns text, the text of an error whose tree holds errors
// whose Error or Format methods panic (quotes), with each of fmt's quotes of their
// values shown as Text shows them, and whether that is text's own.
// A quote is looked for as fmt prints the value when read again, the
// longest where several match (a value may be the start of another's,
// "a" of "a) b (c"); where one is not found as read (a value new at each
// call, or a text that quotes it escaped, by a %q of the error that holds
// it) the text is cut at the first quote of a panic that none matches,
// whose end cannot be told. Where every one is found, a quote that none
// matches is the text's own. The result is text's own only when no quote
// was found and nothing was cut.
func shownQuotes(text string, quotes []quote) (string, bool) {
	if len(quotes) == 0 {
		return text, true
	}
	unmatched := ""
	for _, q := range quotes {
		if !q.read || !strings.Contains(text, q.fmt) {
			unmatched = q.shown
			break
		}
	}
	var b strings.Builder
	rest, shown := text, false
	for {
		i := strings.Index(rest, panicMark)
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		rest = rest[i:]
		best := -1
		for k, q := range quotes {
			if q.read && strings.HasPrefix(rest, q.fmt) && (best < 0 || len(q.fmt) > len(quotes[best].fmt)) {
				best = k
			}
		}
		switch {
		case best >= 0:
			b.WriteString(quotes[best].shown)
			rest, shown = rest[len(quotes[best].fmt):], true
			continue
		case unmatched != "":
			b.WriteString(unmatched)
			return b.String(), false
		}
		b.WriteString(panicMark)
		rest = rest[len(panicMark):]
	}
	return b.String(), !shown
}

// TryError returns err's text and true, or, when its Error method
// panics, the panic's value and false: what a caller shows of the value
// is what Text does.
func TryError(err error) (text string, r any, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			text, r, ok = "", p, false
		}
	}()
	return err.Error(), nil, true
}
