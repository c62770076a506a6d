package redact_test

import (
	"errors"
	"fmt"
	"github.com/outagecast/outagecast/internal/panictext/panictest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/redact"
)

// unknownToken is a secret no Redactor of the test knows.
const unknownToken = "tok-7d3f9b2c"

// panickingError is an error whose Error method panics with value.
type panickingError struct{ value any }

func (e panickingError) Error() string { panic(e.value) }

// An error whose Error method panics, with a value that quotes a secret
// the Redactor does not know (a token in a string, a URL's password in a
// *url.Error), alone or under a *url.Error (as net/http wraps a
// Transport's error), is redacted to a text that says its Error method
// panicked and shows the value as package broadcast shows a panic's: a
// runtime error as it reads, any other value by its type. Before, the
// text was fmt's "%!v(PANIC=Error method: bad token …)", the value's text,
// which the Redactor could hide only the secrets it knew of, and which
// the Broadcaster then showed as the channel's error.
func TestPanicValueOfErrorMethodNotShown(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	var nilURL *url.URL
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"string": {panickingError{"bad token " + unknownToken}, "%!v(PANIC=Error method: a string)"},
		"error": {panickingError{&url.Error{Op: "Post", URL: "https://ops:" + unknownToken + "@hooks.example/in", Err: errors.New("no")}},
			"%!v(PANIC=Error method: a *url.Error)"},
		"under a *url.Error": {&url.Error{Op: "Post", URL: "https://hooks.example/in", Err: panickingError{"bad token " + unknownToken}},
			`Post "https://hooks.example/in": %!s(PANIC=Error method: a string)`},
		"runtime error": {panickingError{func() (r any) {
			defer func() { r = recover() }()
			_ = nilURL.Host
			return nil
		}()}, "%!v(PANIC=Error method: runtime error: invalid memory address or nil pointer dereference)"},
	} {
		err := r.Error(tc.err)
		assert.Equal(t, tc.want, err.Error(), name)
		assert.NotContains(t, err.Error(), unknownToken, name)
	}
}

// fmt's quote of a panic's value that the error's tree does not hold (of
// the cause of an error without Unwrap that formats it itself, of a
// fmt.Stringer given to fmt.Errorf, of an Error method that panicked when
// the text was made but not since) is not shown either: the value, which
// quotes a secret the Redactor does not know, is "a value not shown".
// Before, the error's text was taken as it was, the value in it.
func TestPanicValueNotInTheTreeNotShown(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"an error without Unwrap": {panictest.Opaque{Cause: panickingError{"bad token " + unknownToken}},
			"post: %!v(PANIC=Error method: a value not shown)"},
		"a Stringer": {fmt.Errorf("channel %v: %w", panictest.Stringer{Value: "bad token " + unknownToken}, errors.New("refused")),
			"channel %!v(PANIC=String method: a value not shown): refused"},
		"an Error method that panicked once": {fmt.Errorf("post: %w", &panictest.Once{Value: "bad token " + unknownToken}),
			"post: %!v(PANIC=Error method: a value not shown)"},
	} {
		err := r.Error(tc.err)
		assert.Equal(t, tc.want, err.Error(), name)
		assert.NotContains(t, fmt.Sprintf("%+v", err), unknownToken, name)
	}
}
