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
package panictext

import (
	"fmt"
	"reflect"
	"runtime"
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
