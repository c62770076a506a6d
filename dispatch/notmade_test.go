package dispatch_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/dispatch"
	"github.com/outagecast/outagecast/internal/notmade/notmadetest"
)

// A Dispatcher not made by New, a nil *Dispatcher (New's error dropped)
// or a zero one, fails every call with an error naming the type and New,
// and Changes returns a closed channel. Before, every call panicked on a
// nil pointer.
func TestDispatcherNotMade(t *testing.T) {
	for name, d := range map[string]*dispatch.Dispatcher{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			errs := notmadetest.Check(t, d)
			assert.Len(t, errs, 10) // every method but Changes
			notmadetest.Errors(t, errs, "dispatch: dispatch.Dispatcher not made by dispatch.New "+
				"(a nil *dispatch.Dispatcher, or a zero one: was the error of dispatch.New dropped?)")
			c, stop := d.Changes("u1")
			defer stop()
			_, open := <-c
			assert.False(t, open)
		})
	}
}
