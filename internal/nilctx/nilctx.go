// Package nilctx holds the one error every package of the module gives for
// a call whose context is nil, which would otherwise panic deep inside it
// (or in a goroutine no caller can recover).
package nilctx

import "errors"

// Err is the error of a call given a nil context; callers prefix it with
// their package and operation.
var Err = errors.New("nil context (pass context.Background() or a context of your own)")
