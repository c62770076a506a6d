// Package notmade holds the one error every package of the module gives
// for a method called on a value its constructor did not make: a nil
// pointer (the constructor failed and its error was dropped, as in
// "ch, _ := webhook.New(cfg)") or a zero value ("var b
// broadcast.Broadcaster"), whose calls would otherwise panic on a nil
// pointer dereference.
package notmade

import (
	"errors"
	"strings"
)

// ErrNotMade is matched by every error of Error.
var ErrNotMade = errors.New("not made by its constructor")

// Error returns the error of a call of a method of typ ("webhook.Channel")
// on a value not made by ctor ("webhook.New"). Its text names both, and
// starts with typ's package, as "webhook: webhook.Channel not made by
// webhook.New (a nil *webhook.Channel, or a zero one: was the error of
// webhook.New dropped?)". The callers keep it in a variable: it does not
// allocate again for each call.
func Error(typ, ctor string) error {
	pkg, _, _ := strings.Cut(typ, ".")
	return &notMade{text: pkg + ": " + typ + " not made by " + ctor + " (a nil *" + typ +
		", or a zero one: was the error of " + ctor + " dropped?)"}
}

type notMade struct{ text string }

func (e *notMade) Error() string { return e.text }

func (e *notMade) Is(target error) bool { return target == ErrNotMade }
