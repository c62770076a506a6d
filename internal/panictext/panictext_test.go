package panictext_test

import (
	"errors"
	"fmt"
	"github.com/outagecast/outagecast/internal/panictext/panictest"
	"net/url"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/internal/panictext"
)

// recovered returns the value of f's panic.
func recovered(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// fakeRuntimeError is a caller's type with a RuntimeError method.
type fakeRuntimeError struct{ text string }

func (e fakeRuntimeError) Error() string { return e.text }
func (fakeRuntimeError) RuntimeError()   {}

var _ runtime.Error = fakeRuntimeError{}

// A runtime error the runtime raised is shown; any other value, whatever
// it quotes, by its type only; a Shown as its error reads.
func TestText(t *testing.T) {
	var m map[string]int
	var p *url.URL
	var s []int
	var x any = "s"
	for _, tc := range []struct {
		name string
		r    any
		want string
	}{
		{"nil map", recovered(func() { m["a"] = 1 }), "assignment to entry in nil map"},
		{"nil pointer", recovered(func() { _ = p.Host }), "runtime error: invalid memory address or nil pointer dereference"},
		{"index", recovered(func() { _ = s[len(s)] }), "runtime error: index out of range [0] with length 0"},
		{"type assertion", recovered(func() { _ = x.(int) }), "interface conversion: interface {} is string, not int"},
		{"panic(nil)", recovered(func() { panic(nil) }), "panic called with nil argument"},
		{"string", "bad token s3cr3t", "a string"},
		{"error", &url.Error{Op: "Post", URL: "https://u:s3cr3t@h.example/", Err: errors.New("no")}, "a *url.Error"},
		{"fmt error", fmt.Errorf("token %s", "s3cr3t"), "a *errors.errorString"},
		{"caller's RuntimeError", fakeRuntimeError{"s3cr3t"}, "a panictext_test.fakeRuntimeError"},
		{"Shown", panictext.Shown{Err: errors.New("post: panicked")}, "post: panicked"},
		{"Shown of nil", panictext.Shown{}, "a panictext.Shown"},
	} {
		require.NotNil(t, tc.r, tc.name)
		assert.Equal(t, tc.want, panictext.Text(tc.r), tc.name)
	}
}

// A Shown reads as its error, and unwraps to it.
func TestShown(t *testing.T) {
	err := errors.New("post: panicked")
	s := panictext.Shown{Err: err}
	assert.EqualError(t, s, "post: panicked")
	assert.ErrorIs(t, s, err)
}

// panickingError is an error whose Error method panics with value.
type panickingError struct{ value any }

func (e panickingError) Error() string { panic(e.value) }

// ErrorText reads an error's text, and shows the value of a panic in the
// Error method of the error or of one it holds as Text does, where fmt
// would quote it.
func TestErrorText(t *testing.T) {
	bad := panickingError{"bad token s3cr3t"}
	var nilErr *url.Error
	for _, tc := range []struct {
		name string
		err  error
		want string
		own  bool
	}{
		{"plain", errors.New("refused"), "refused", true},
		{"plain, quoting fmt's text", errors.New("%!v(PANIC=Error method: s3cr3t)"), "%!v(PANIC=Error method: a value not shown)", false},
		{"panics", bad, "%!v(PANIC=Error method: a string)", false},
		{"nil pointer", nilErr, "<nil>", false},
		{"under a *url.Error", &url.Error{Op: "Post", URL: "https://h.example/", Err: bad},
			`Post "https://h.example/": %!s(PANIC=Error method: a string)`, false},
		{"under fmt.Errorf's %w", fmt.Errorf("post: %w", bad), "post: %!v(PANIC=Error method: a string)", false},
		{"in a join", errors.Join(errors.New("a"), fmt.Errorf("b: %w", bad)), "a\nb: %!v(PANIC=Error method: a string)", false},
	} {
		text, own := panictext.ErrorText(tc.err)
		assert.Equal(t, tc.want, text, tc.name)
		assert.Equal(t, tc.own, own, tc.name)
	}
}

// quotingError's text quotes its error's with %q, as an error of a
// caller's may: fmt's quote of a panic's value in it is escaped.
type quotingError struct{ err error }

func (e quotingError) Error() string { return fmt.Sprintf("post %q", e.err) }
func (e quotingError) Unwrap() error { return e.err }

// countingError's Error method panics with a value that is new at each
// call.
type countingError struct{ n *int }

func (e countingError) Error() string {
	*e.n++
	panic(fmt.Sprintf("call %d: bad token s3cr3t", *e.n))
}

// No part of a panic's value is left where err's text quotes it other than
// as fmt printed it when ErrorText reads it again: escaped by a %q of an
// error that holds it, different at each call, or cut short by the value
// of another panic that is a start of it.
func TestErrorTextQuoteNotAsRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"escaped quote", quotingError{fmt.Errorf("w: %w", panickingError{`bad token "s3cr3t"`})},
			`post "w: %!v(PANIC=Error method: a string)`},
		{"escaped newline", quotingError{fmt.Errorf("w: %w", panickingError{"bad token\ns3cr3t"})},
			`post "w: %!v(PANIC=Error method: a string)`},
		{"new at each call", fmt.Errorf("w: %w", countingError{new(int)}),
			"w: %!v(PANIC=Error method: a string)"},
		{"another's value a start of it", errors.Join(fmt.Errorf("w: %w", panickingError{"a"}), fmt.Errorf("x: %w", panickingError{"a) s3cr3t (b"})),
			"w: %!v(PANIC=Error method: a string)\nx: %!v(PANIC=Error method: a string)"},
		{"the other way round", errors.Join(fmt.Errorf("x: %w", panickingError{"a) s3cr3t (b"}), fmt.Errorf("w: %w", panickingError{"a"})),
			"x: %!v(PANIC=Error method: a string)\nw: %!v(PANIC=Error method: a string)"},
		{"a caller's own quote hidden too", errors.Join(errors.New("%!v(PANIC=Error method: mine)"), fmt.Errorf("b: %w", panickingError{"a) s3cr3t (b"})),
			"%!v(PANIC=Error method: a value not shown)"},
	} {
		text, own := panictext.ErrorText(tc.err)
		assert.Equal(t, tc.want, text, tc.name)
		assert.NotContains(t, text, "s3cr3t", tc.name)
		assert.False(t, own, tc.name)
	}
}

// formatPanickingError is an error whose Format method panics with value;
// its Error method reads.
type formatPanickingError struct{ value any }

func (formatPanickingError) Error() string            { return "refused" }
func (e formatPanickingError) Format(fmt.State, rune) { panic(e.value) }

// fmt's quote of the value of a panic in the Format method of an error in
// err's tree (fmt.Errorf's %w of it) shows it as Text does too.
func TestErrorTextFormatPanic(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"as read", fmt.Errorf("w: %w", formatPanickingError{"bad token s3cr3t"}), "w: %!v(PANIC=Format method: a string)"},
		{"escaped", quotingError{fmt.Errorf("w: %w", formatPanickingError{`bad token "s3cr3t"`})}, `post "w: %!v(PANIC=Format method: a string)`},
	} {
		text, own := panictext.ErrorText(tc.err)
		assert.Equal(t, tc.want, text, tc.name)
		assert.False(t, own, tc.name)
	}
}

// panickingGoStringer is a fmt.GoStringer whose GoString method panics
// with value.
type panickingGoStringer struct{ value any }

func (s panickingGoStringer) GoString() string { panic(s.value) }

// panickingFormatter is a fmt.Formatter, not an error, whose Format
// method panics with value.
type panickingFormatter struct{ value any }

func (f panickingFormatter) Format(fmt.State, rune) { panic(f.value) }

// ptrStringer's String method reads its receiver: a nil one panics.
type ptrStringer struct{ name string }

func (s *ptrStringer) String() string { return s.name }

// fmt's quote of a panic's value that ErrorText cannot find in the error's
// tree is rewritten too: of the cause of an error without Unwrap that
// formats it itself, of a fmt.Stringer's (GoStringer's, Formatter's)
// method given to fmt.Errorf as a plain argument, of an Error method that
// panicked when the text was made but not when ErrorText reads it. The
// value, which may quote a secret, is not shown: "a value not shown".
// Before, the text was given as it was, the value in it, and own.
func TestErrorTextQuoteOfAValueNotInTheTree(t *testing.T) {
	const tok = "bad token s3cr3t"
	var nilMap map[string]int
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"an error without Unwrap formatting its cause", panictest.Opaque{Cause: panickingError{tok}},
			"post: %!v(PANIC=Error method: a value not shown)"},
		{"a Stringer, %v", fmt.Errorf("channel %v: %w", panictest.Stringer{Value: tok}, errors.New("refused")),
			"channel %!v(PANIC=String method: a value not shown): refused"},
		{"a Stringer, %s", fmt.Errorf("channel %s", panictest.Stringer{Value: &url.Error{Op: "Post", URL: "https://u:s3cr3t@h.example/", Err: errors.New("no")}}),
			"channel %!s(PANIC=String method: a value not shown)"},
		{"a Stringer, runtime error", fmt.Errorf("channel %v", panictest.Stringer{Value: recovered(func() { nilMap["a"] = 1 })}),
			"channel %!v(PANIC=String method: a value not shown)"},
		{"a GoStringer", fmt.Errorf("channel %#v", panickingGoStringer{tok}),
			"channel %!v(PANIC=GoString method: a value not shown)"},
		{"a Formatter", fmt.Errorf("channel %d", panickingFormatter{tok}),
			"channel %!d(PANIC=Format method: a value not shown)"},
		{"an Error method that panicked once", fmt.Errorf("post: %w", &panictest.Once{Value: tok}),
			"post: %!v(PANIC=Error method: a value not shown)"},
	} {
		text, own := panictext.ErrorText(tc.err)
		assert.Equal(t, tc.want, text, tc.name)
		assert.NotContains(t, text, "s3cr3t", tc.name)
		assert.False(t, own, tc.name)
	}
}

// Where the end of a value not in the tree cannot be told (a ")" in it, a
// quote of another panic in it, the text going on with a ")" after it),
// all of the text from the quote on is hidden: more than the value, never
// less.
func TestErrorTextQuoteOfAValueNotInTheTreeEndUnknown(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"a ) in the value", panictest.Opaque{Cause: panickingError{"a) s3cr3t (b"}},
			"post: %!v(PANIC=Error method: a value not shown)"},
		{"a quote in the value", panictest.Opaque{Cause: panickingError{panictest.Opaque{Cause: panickingError{"s3cr3t"}}}},
			"post: %!v(PANIC=Error method: a value not shown)"},
		{"a ) after the value", fmt.Errorf("channel %v (attempt 2): %w", panictest.Stringer{Value: "a s3cr3t"}, errors.New("refused")),
			"channel %!v(PANIC=String method: a value not shown)"},
		{"a ) after it, and a known one", errors.Join(panictest.Opaque{Cause: panickingError{"a) s3cr3t (b"}}, fmt.Errorf("x: %w", panickingError{"c"})),
			"post: %!v(PANIC=Error method: a value not shown)"},
		{"a cut text", errors.New("post: %!v(PANIC=Error method: a s3cr3t"),
			"post: %!v(PANIC=Error method: a value not shown)"},
	} {
		text, own := panictext.ErrorText(tc.err)
		assert.Equal(t, tc.want, text, tc.name)
		assert.NotContains(t, text, "s3cr3t", tc.name)
		assert.False(t, own, tc.name)
	}
}

// What is not fmt's quote of a panic stays: a nil pointer's "<nil>", as
// fmt prints a nil receiver whose method panics, and "(PANIC=" without
// fmt's "%!" and verb before it, or without a method fmt calls.
func TestErrorTextNotAQuote(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil pointer", fmt.Errorf("channel %v", (*ptrStringer)(nil)), "channel <nil>"},
		{"no %!", errors.New("(PANIC=Error method: mine)"), "(PANIC=Error method: mine)"},
		{"no method", errors.New("%!v(PANIC=mine)"), "%!v(PANIC=mine)"},
	} {
		text, own := panictext.ErrorText(tc.err)
		assert.Equal(t, tc.want, text, tc.name)
		assert.True(t, own, tc.name)
	}
}

// The text of a Made error (one ErrorText's text was put in) is its own,
// and so is its text where an error holding it quotes it: its quotes show
// the values by the rule already. A quote beside it that it does not hold
// is rewritten still.
func TestErrorTextMade(t *testing.T) {
	made := panictext.Error("x: %!v(PANIC=Error method: a string)")
	for _, tc := range []struct {
		name string
		err  error
		want string
		own  bool
	}{
		{"alone", made, "x: %!v(PANIC=Error method: a string)", true},
		{"wrapped", fmt.Errorf("w: %w", made), "w: x: %!v(PANIC=Error method: a string)", true},
		{"beside a quote not in the tree", errors.Join(made, panictest.Opaque{Cause: panickingError{"bad token s3cr3t"}}),
			"x: %!v(PANIC=Error method: a string)\npost: %!v(PANIC=Error method: a value not shown)", false},
		{"the same quote, not in it", errors.Join(made, errors.New("%!v(PANIC=Error method: a string) s3cr3t)")),
			"x: %!v(PANIC=Error method: a string)\n%!v(PANIC=Error method: a value not shown)", false},
	} {
		text, own := panictext.ErrorText(tc.err)
		assert.Equal(t, tc.want, text, tc.name)
		assert.Equal(t, tc.own, own, tc.name)
	}
}

// claimsMade is a caller's error type that declares the method a Made
// error has, as any package may: its text, a raw quote of a panic's
// value, is its own, not made by the rule.
type claimsMade struct{ msg string }

func (e claimsMade) Error() string  { return e.msg }
func (e claimsMade) PanicTextMade() {}

// An error of a caller's cannot claim to be Made: declaring a method
// named as the mark's does not keep its quotes of panics' values, alone
// or in a tree.
func TestErrorTextMadeCannotBeClaimed(t *testing.T) {
	claim := claimsMade{"%!v(PANIC=String method: bad token s3cr3t)"}
	var err error = claim
	_, isMade := err.(panictext.Made)
	assert.False(t, isMade, "a caller's type is no Made")
	for _, e := range []error{claim, fmt.Errorf("w: %w", claim), errors.Join(claim, errors.New("x"))} {
		text, _ := panictext.ErrorText(e)
		assert.NotContains(t, text, "s3cr3t", "%v", text)
		assert.Contains(t, text, "%!v(PANIC=String method: a value not shown)")
	}
}

// A quote of a panic's value that starts as the text of a Made error of
// the tree does, and goes on past it (the value starts with what that
// text shows, "a string)"), is no quote the Made error shows: its value
// is not shown, where the text holds the Made error's text more often
// than the tree holds it.
func TestErrorTextMadeTextInAQuote(t *testing.T) {
	made := panictext.Error("%!v(PANIC=String method: a string)")
	raw := fmt.Errorf("channel %v", panictest.Stringer{Value: "a string) bad token s3cr3t"})
	require.Contains(t, raw.Error(), "s3cr3t")
	for _, e := range []error{errors.Join(made, raw), fmt.Errorf("%w; %w", made, raw)} {
		text, own := panictext.ErrorText(e)
		assert.NotContains(t, text, "s3cr3t", "%q", text)
		assert.False(t, own)
	}
}

// A quote of a value not in the tree that starts as a quote of a value in
// it does ("a) s3cr3t", "a") is not taken for that one, with the rest of
// its value shown after it: where the text holds the known quote more
// often than the tree's errors panic with it, its end cannot be told.
func TestErrorTextKnownQuoteStartsAnother(t *testing.T) {
	known := panickingError{"a"}
	for _, e := range []error{
		errors.Join(fmt.Errorf("c %w", known), panictest.Opaque{Cause: panickingError{"a) s3cr3t"}}),
		errors.Join(panictest.Opaque{Cause: panickingError{"a) s3cr3t"}}, fmt.Errorf("c %w", known)),
	} {
		text, own := panictext.ErrorText(e)
		assert.NotContains(t, text, "s3cr3t", "%q", text)
		assert.False(t, own)
	}
	// Quoted once, where the tree holds it once, it ends where it does.
	text, _ := panictext.ErrorText(fmt.Errorf("c %w (code 5)", known))
	assert.Equal(t, "c %!v(PANIC=Error method: a string) (code 5)", text)
}
