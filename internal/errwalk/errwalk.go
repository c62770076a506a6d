// Package errwalk walks a caller's error tree as errors.Is, errors.As and
// errors.Unwrap do, without panicking on bad input: an error whose method
// panics, as a typed nil in an error does ((*net.OpError)(nil), whose
// Unwrap reads its field), or one with a nil field its methods read
// (&net.OpError{}, whose Error reads its Err). The broadcast package reads
// its channels' errors so, and redact the errors it is given: an
// adapter's bad error must neither crash a Send nor a redaction.
//
// Every call into an error goes through Try. A method that panics answers
// as if it found nothing: an Is or As method that panics matches nothing,
// and an Unwrap that panics reaches nothing, so that the walk goes on to
// the errors beside it (the other parts of a join), and what can be read
// of the tree is found.
package errwalk

import "reflect"

// Try returns f's result and true, or, when f panics, the zero T and
// false.
func Try[T any](f func() T) (v T, ok bool) {
	defer func() {
		if recover() != nil {
			var zero T
			v, ok = zero, false
		}
	}()
	return f(), true
}

// Unwrap is errors.Unwrap: err's Unwrap() error, nil when it has none or
// when it panics.
func Unwrap(err error) error {
	u, ok := err.(interface{ Unwrap() error })
	if !ok {
		return nil
	}
	next, _ := Try(u.Unwrap)
	return next
}

// Is is errors.Is, walking err's tree as it does, but where a method of
// an error in it panics (see the package doc).
func Is(err, target error) bool {
	if err == nil || target == nil {
		return err == target
	}
	return is(err, target, reflect.TypeOf(target).Comparable())
}

func is(err, target error, comparable bool) bool {
	return walk(err, func(err error) bool {
		if comparable && err == target {
			return true
		}
		if x, ok := err.(interface{ Is(error) bool }); ok {
			match, _ := Try(func() bool { return x.Is(target) })
			return match
		}
		return false
	})
}

// Walk calls visit on err and on the errors of its tree, as walk does,
// until visit returns true, and reports whether it did.
func Walk(err error, visit func(error) bool) bool { return walk(err, visit) }

// walk calls visit on err and on the errors of its tree, in the order
// errors.Is and errors.As visit them (depth first, a join's parts in
// order), until visit returns true, and reports whether it did. An Unwrap
// that panics reaches nothing.
func walk(err error, visit func(error) bool) bool {
	for {
		if visit(err) {
			return true
		}
		switch x := err.(type) {
		case interface{ Unwrap() error }:
			if err, _ = Try(x.Unwrap); err == nil {
				return false
			}
		case interface{ Unwrap() []error }:
			parts, _ := Try(x.Unwrap)
			for _, p := range parts {
				if p != nil && walk(p, visit) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
}

var errorType = reflect.TypeFor[error]()

// As is errors.As, walking err's tree as it does, but where a method of
// an error in it panics (see the package doc), and but for a typed nil:
// a nil pointer in an error ((*net.OpError)(nil)) is never given, as a
// caller would read its fields; As goes on past it as if it did not match. It panics, as errors.As
// does, when target is not a non-nil pointer to a type implementing error
// or to an interface: that is the caller's mistake, not the error's.
func As(err error, target any) bool {
	if err == nil {
		return false
	}
	if target == nil {
		panic("errwalk: target cannot be nil")
	}
	val := reflect.ValueOf(target)
	typ := val.Type()
	if typ.Kind() != reflect.Pointer || val.IsNil() {
		panic("errwalk: target must be a non-nil pointer")
	}
	targetType := typ.Elem()
	if targetType.Kind() != reflect.Interface && !targetType.Implements(errorType) {
		panic("errwalk: *target must be interface or implement error")
	}
	return as(err, target, val, targetType)
}

func as(err error, target any, val reflect.Value, targetType reflect.Type) bool {
	return walk(err, func(err error) bool {
		if reflect.TypeOf(err).AssignableTo(targetType) {
			if v := reflect.ValueOf(err); v.Kind() != reflect.Pointer || !v.IsNil() {
				val.Elem().Set(v)
				return true
			}
		}
		if x, ok := err.(interface{ As(any) bool }); ok {
			found, _ := Try(func() bool { return x.As(target) })
			return found
		}
		return false
	})
}

// AsType is errors.AsType, walking err's tree as As does.
func AsType[E error](err error) (E, bool) {
	var e E
	if err == nil {
		return e, false
	}
	ok := As(err, &e)
	return e, ok
}
