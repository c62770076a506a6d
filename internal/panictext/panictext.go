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
// A method fmt calls may panic too (an error's Error or Format method, a
// fmt.Stringer's String, a GoString), and fmt, printing the value, quotes
// the panic's value ("%!v(PANIC=Error method: bad token …)"), as does
// the text of any error that formats it (a *url.Error's of its Err,
// fmt.Errorf's of a %w or of a plain argument, an error that formats its
// cause itself): ErrorText reads an error's text and rewrites every such
// quote in it, by the same rule where the value is known (an error of the
// error's tree panics with it), and as "a value not shown" where it is
// not; where the value's end cannot be told, the rest of the text is cut.
// A quote in the text of a Made error (one ErrorText's text was put in:
// redacted, or the Broadcaster's error saying so) is shown already, and
// stays, where the text holds that text no more often than the tree holds
// errors of it; only this module's types can be Made (see Mark).
package panictext

import (
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

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
// ("<nil>" for a nil pointer, as fmt prints it). Otherwise every quote
// of fmt's of the value of a panic in a method it called
// ("%!v(PANIC=Error method: …)", and of a String, Format or GoString
// method: fmt's own shape, "%!", the verb, "(PANIC=", the method,
// " method: ", the value, ")") is rewritten so that the value is not
// shown, whoever made it: an error of err's tree, an error without Unwrap
// that formats its cause itself, a fmt.Stringer given to fmt.Errorf, a
// caller's text. A quote of the value of a panic in the Error method of
// an error of err's tree (Unwrap() error and Unwrap() []error, read as
// package errwalk reads them), or in its Format method called as fmt's %v
// calls it, as fmt prints it when read again, shows what Text shows of
// the value (the longest where several match: a value may be the start
// of another's, "a" of "a) b (c"). A quote that none matches shows the
// value by the type of that of a panicking error of the tree, by the same
// method, that the text does not hold as read (escaped by a %q, or new at
// each call), if there is one; otherwise as "a value not shown". Its end
// cannot be told from the value, which may hold ")" and quotes of other
// panics: it is taken to end at the text's one ")" after it, where there
// is one only and every panicking error of the tree is held as read; the
// text is cut at it otherwise (see shownQuotes), hiding more than the
// value, never less. A quote inside the text of a Made error of err's
// tree, where err's text holds that text (no more often than the tree
// holds errors of it: else which of its places are theirs cannot be
// told), stays: it is shown already; a Made err's text is its own. A nil pointer's "<nil>", as fmt prints one
// whose method panics, is no quote: it shows nothing of a value.
func ErrorText(err error) (text string, own bool) {
	text, r, ok := TryError(err)
	if !ok {
		if v := reflect.ValueOf(err); v.Kind() == reflect.Pointer && v.IsNil() {
			return "<nil>", false
		}
		return "%!v" + errorMark + Text(r) + ")", false
	}
	if _, made := err.(Made); made || !strings.Contains(text, panicMark) {
		return text, true
	}
	var quotes []quote
	var made []string
	top := true
	errwalk.Walk(err, func(e error) bool {
		if top { // err itself, read above (not compared: it may be of a type that is not comparable)
			top = false
			return false
		}
		t, r, ok := TryError(e)
		if !ok {
			quotes = append(quotes, quoteOf(errorMark, r))
		}
		if _, m := e.(Made); m && strings.Contains(t, panicMark) {
			made = append(made, t)
		}
		if f, ok := e.(fmt.Formatter); ok {
			if r, ok := tryFormat(f); !ok {
				quotes = append(quotes, quoteOf(formatMark, r))
			}
		}
		return false
	})
	return shownQuotes(text, quotes, made)
}

// Made is an error whose text this package's rule made: a text ErrorText
// gave (redacted, or put in an error of the Broadcaster's), whose quotes
// of panics' values show them as the rule does already. ErrorText gives
// the text of one as it is, and leaves its text as it is where the text
// of an error holding it holds it. Its method is unexported, so that a
// type has it only by embedding Mark, which no package outside this
// module can name: a caller's error that declares a method of that name
// is no Made, and its quotes are rewritten.
type Made interface {
	error
	panicTextMade()
}

// Mark, embedded in an error type of this module's, makes it Made.
type Mark struct{}

func (Mark) panicTextMade() {}

// Error returns a Made error whose text is text, which ErrorText (or
// Text) gave.
func Error(text string) error { return madeError{text: text} }

type madeError struct {
	Mark
	text string
}

func (e madeError) Error() string { return e.text }

// panicMark starts fmt's quote of the value of a panic in a method, after
// "%!" and the verb; errorMark and formatMark start it for an Error and a
// Format method. methods are the methods fmt calls, whose panics it
// quotes (see fmt's print.go, catchPanic and handleMethods).
const (
	panicMark  = "(PANIC="
	errorMark  = panicMark + "Error method: "
	formatMark = panicMark + "Format method: "
)

var methods = []string{"Error", "String", "Format", "GoString"}

// notShown is what a quote shows of a value that no error of the tree is
// known to have panicked with: its type is not known.
const notShown = "a value not shown"

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
// whose Error or Format methods panic (quotes), with each of fmt's quotes
// of a panic's value in it (see nextQuote) shown so that the value is
// not, and whether that is text's own: true when it holds none. A quote
// is looked for as fmt prints the value when read again, the longest
// where several match (a value may be the start of another's, "a" of
// "a) b (c"), and shows what Text does of it; where text holds it more
// often than quotes do, it may be the start of a quote of a value not
// known ("a" of "a) b"), and the text is cut after it where a ")"
// follows. One that none matches is of
// a value not known: it shows the type of the first of quotes by the same
// method that text does not hold as read (a value new at each call, or a
// text that quotes it escaped, by a %q of the error that holds it), or
// notShown. Where every one of quotes is held as read and the text after
// the quote's start holds one ")" only, the value ends there (fmt closes
// its quote with one); otherwise its end cannot be told, and the text is
// cut after what the quote shows. A quote inside the text of a Made
// error (made) stays, where text holds that text no more often than made
// does.
func shownQuotes(text string, quotes []quote, made []string) (string, bool) {
	// safe is where, in text, the text of a Made error is: of each text,
	// its places, where text holds it no more often than the tree holds
	// errors of it. Where it holds it more often, which of its places are
	// the errors' cannot be told: a quote of a value that starts as the
	// Made text does ("a string)", of "a string) bad token …") holds it
	// too, and its value would be kept past the Made text's end.
	var safe [][2]int
	errs := map[string]int{}
	for _, m := range made {
		errs[m]++
	}
	for m, n := range errs {
		var at [][2]int
		for off := 0; ; {
			k := strings.Index(text[off:], m)
			if k < 0 {
				break
			}
			at = append(at, [2]int{off + k, off + k + len(m)})
			off += k + 1
		}
		if len(at) <= n {
			safe = append(safe, at...)
		}
	}
	var unread []quote
	for _, q := range quotes {
		if !q.read || !strings.Contains(text, q.fmt) {
			unread = append(unread, q)
		}
	}
	var b strings.Builder
	rest, own := text, true
	for {
		i, n := nextQuote(rest)
		if i < 0 {
			b.WriteString(rest)
			return b.String(), own
		}
		// Shown by the rule already, in a Made error's text: kept, up to
		// that text's end.
		from := len(text) - len(rest)
		end := -1
		for _, r := range safe {
			if r[0] <= from+i && from+i < r[1] {
				end = max(end, r[1])
			}
		}
		if end >= 0 {
			b.WriteString(text[from:end])
			rest = text[end:]
			continue
		}
		b.WriteString(rest[:i])
		rest, own = rest[i:], false
		best := -1
		for k, q := range quotes {
			if q.read && strings.HasPrefix(rest, q.fmt) && (best < 0 || len(q.fmt) > len(quotes[best].fmt)) {
				best = k
			}
		}
		if best >= 0 {
			q := quotes[best]
			b.WriteString(q.shown)
			rest = rest[len(q.fmt):]
			// Held more often than the tree's errors panic with it, it
			// may be the start of a quote of a value not known ("a" of
			// "a) b"), whose end cannot be told where a ")" follows.
			if heldAlone(text, q.fmt, quotes) > countFmt(quotes, q.fmt) && strings.Contains(rest, ")") {
				return b.String(), false
			}
			continue
		}
		mark := rest[:n]
		shown := mark + notShown + ")"
		for _, q := range unread {
			if strings.HasPrefix(q.fmt, mark) {
				shown = q.shown
				break
			}
		}
		b.WriteString(shown)
		value := rest[n:]
		if len(unread) > 0 || strings.Count(value, ")") != 1 {
			return b.String(), false
		}
		rest = value[strings.IndexByte(value, ')')+1:]
	}
}

// countFmt returns how many of quotes fmt prints as f.
func countFmt(quotes []quote, f string) int {
	n := 0
	for _, q := range quotes {
		if q.fmt == f {
			n++
		}
	}
	return n
}

// heldAlone returns how many places of text start with f, fmt's quote of
// a known value, and with no longer quote of quotes read.
func heldAlone(text, f string, quotes []quote) int {
	n := 0
	for off := 0; ; {
		k := strings.Index(text[off:], f)
		if k < 0 {
			return n
		}
		off += k
		if !slices.ContainsFunc(quotes, func(q quote) bool {
			return q.read && len(q.fmt) > len(f) && strings.HasPrefix(text[off:], q.fmt)
		}) {
			n++
		}
		off++
	}
}

// nextQuote returns where in text the first of fmt's quotes of a panic's
// value starts, at its "(PANIC=", and the length of its mark, from there
// to its value: it is "%!", the verb, "(PANIC=", one of methods and
// " method: ", as fmt writes it; i is -1 when text holds none.
func nextQuote(text string) (i, n int) {
	for off := 0; ; {
		j := strings.Index(text[off:], panicMark)
		if j < 0 {
			return -1, 0
		}
		j += off
		off = j + len(panicMark)
		_, size := utf8.DecodeLastRuneInString(text[:j])
		if size == 0 || !strings.HasSuffix(text[:j-size], "%!") {
			continue
		}
		for _, m := range methods {
			if mark := panicMark + m + " method: "; strings.HasPrefix(text[j:], mark) {
				return j, len(mark)
			}
		}
	}
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
