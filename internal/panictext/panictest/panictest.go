// Package panictest holds the errors and values whose methods panic that
// the tests of panictext's users share: an error whose Error panics, one
// that formats a cause itself without Unwrap, a fmt.Stringer whose String
// panics, and an error whose Error panics on its first call only. Tests
// only.
package panictest

import "fmt"

// Error is an error whose Error method panics with Value.
type Error struct{ Value any }

// Error panics with Value.
func (e Error) Error() string { panic(e.Value) }

// Opaque is an error that formats Cause into its text itself ("post: "
// and Cause's text, as fmt prints it) and has no Unwrap.
type Opaque struct{ Cause error }

// Error returns "post: " and Cause's text.
func (e Opaque) Error() string { return "post: " + fmt.Sprint(e.Cause) }

// Stringer is a fmt.Stringer whose String method panics with Value.
type Stringer struct{ Value any }

// String panics with Value.
func (s Stringer) String() string { panic(s.Value) }

// Once is an error whose Error method panics with Value on its first
// call only, and says "refused" after.
type Once struct {
	Value  any
	called bool
}

// Error panics with Value on its first call, and returns "refused" after.
func (e *Once) Error() string {
	if !e.called {
		e.called = true
		panic(e.Value)
	}
	return "refused"
}
