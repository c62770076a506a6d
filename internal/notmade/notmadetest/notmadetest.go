// Package notmadetest checks that a type's methods, called on a value its
// constructor did not make (a nil pointer, a zero value), fail with an
// error and do not panic.
package notmadetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/internal/notmade"
)

// Update is the valid update the methods that take one are given.
var Update = broadcast.Update{ID: "u1", IncidentID: "inc", Title: "CDN errors",
	Status: broadcast.StatusInvestigating, Time: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}

// Check calls every exported method of v, a nil or zero value of a
// pointer type, and fails t for each that panics or returns an error
// result that is nil (an []error result must hold errors only, a struct
// result's Err field an error). Arguments are zero values except a
// context (context.Background()), a broadcast.Update (Update), a
// broadcast.Message (NewMessage of Update) and a string ("x"). Methods
// that print (Format, String, GoString) are called through fmt's verbs;
// a func() result (a stop, an unlock) is called. It returns the errors
// the methods returned, keyed by the method's name, for the caller to
// check their text.
func Check(t testing.TB, v any) map[string][]error {
	t.Helper()
	errs := map[string][]error{}
	rv := reflect.ValueOf(v)
	for i := range rv.NumMethod() {
		m := rv.Type().Method(i)
		switch m.Name {
		case "Format", "String", "GoString":
			continue
		}
		msg, got := call(rv.Method(i), m.Type)
		if msg != "" {
			t.Errorf("%T.%s: %s", v, m.Name, msg)
		}
		if len(got) > 0 {
			errs[m.Name] = got
		}
	}
	if msg := print(v); msg != "" {
		t.Errorf("%T printed: %s", v, msg)
	}
	return errs
}

// Errors fails t unless every error of errs, as Check returns them,
// matches notmade.ErrNotMade and reads want.
func Errors(t testing.TB, errs map[string][]error, want string) {
	t.Helper()
	for method, es := range errs {
		for _, err := range es {
			if !errors.Is(err, notmade.ErrNotMade) || err.Error() != want {
				t.Errorf("%s: %v, want %q matching notmade.ErrNotMade", method, err, want)
			}
		}
	}
}

// call calls method, of type typ (its receiver first), and says what went
// wrong, or "", and returns the errors it returned.
func call(method reflect.Value, typ reflect.Type) (msg string, errs []error) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("panicked: %v", r)
		}
	}()
	args := make([]reflect.Value, typ.NumIn()-1)
	for i := range args {
		args[i] = arg(typ.In(i + 1))
	}
	if typ.IsVariadic() {
		args = args[:len(args)-1]
	}
	for _, out := range method.Call(args) {
		if m := check(out, &errs); m != "" && msg == "" {
			msg = m
		}
	}
	return msg, errs
}

var (
	errorType   = reflect.TypeFor[error]()
	contextType = reflect.TypeFor[context.Context]()
)

// arg returns the argument of type t.
func arg(t reflect.Type) reflect.Value {
	switch t {
	case contextType:
		return reflect.ValueOf(context.Background())
	case reflect.TypeFor[broadcast.Update]():
		return reflect.ValueOf(Update)
	case reflect.TypeFor[broadcast.Message]():
		return reflect.ValueOf(broadcast.NewMessage(Update))
	}
	if t.Kind() == reflect.String {
		return reflect.ValueOf("x").Convert(t)
	}
	return reflect.Zero(t)
}

// check says what is wrong with the result out, or "", and adds the
// errors it holds to errs.
func check(out reflect.Value, errs *[]error) string {
	t := out.Type()
	switch {
	case t == errorType:
		if out.IsNil() {
			return "returned a nil error"
		}
		*errs = append(*errs, out.Interface().(error))
	case t.Kind() == reflect.Slice && t.Elem() == errorType:
		if out.Len() == 0 {
			return "returned no errors"
		}
		for i := range out.Len() {
			if out.Index(i).IsNil() {
				return fmt.Sprintf("returned a nil error at [%d]", i)
			}
			*errs = append(*errs, out.Index(i).Interface().(error))
		}
	case t.Kind() == reflect.Struct:
		if f, ok := t.FieldByName("Err"); ok && f.Type == errorType {
			if out.FieldByIndex(f.Index).IsNil() {
				return "returned a nil Err"
			}
			*errs = append(*errs, out.FieldByIndex(f.Index).Interface().(error))
		}
	case t.Kind() == reflect.Func && t.NumIn() == 0 && t.NumOut() == 0 && !out.IsNil():
		out.Call(nil)
	}
	return ""
}

// print prints v with the verbs a log line or an error may use, and says
// if that panicked (fmt recovers a panic of a String or Format method, and
// prints it).
func print(v any) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("panicked: %v", r)
		}
	}()
	if s := fmt.Sprintf("%v %+v %#v %s %q %d", v, v, v, v, v, v); strings.Contains(s, "PANIC=") {
		return s
	}
	return ""
}
