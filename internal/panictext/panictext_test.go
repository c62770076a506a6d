package panictext_test

import (
	"errors"
	"fmt"
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
		{"plain, quoting fmt's text", errors.New("%!v(PANIC=Error method: s3cr3t)"), "%!v(PANIC=Error method: s3cr3t)", true},
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
		{"a caller's own quote kept", errors.Join(errors.New("%!v(PANIC=Error method: mine)"), fmt.Errorf("b: %w", panickingError{"a) s3cr3t (b"})),
			"%!v(PANIC=Error method: mine)\nb: %!v(PANIC=Error method: a string)"},
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
