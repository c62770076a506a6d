package broadcast_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// Result.Unrecorded tells a delivery made in full whose record alone was
// lost (a caller that retries on errors must not send it again) from one
// that also left targets without the update.
func TestResultUnrecorded(t *testing.T) {
	notRecorded := fmt.Errorf("%w: store: mark delivered: disk full", broadcast.ErrNotRecorded)
	failed := []broadcast.TargetFailure{{Target: "b", Err: errors.New("refused")}}
	for _, tt := range []struct {
		name string
		r    broadcast.Result
		want bool
	}{
		{"delivered", broadcast.Result{}, false},
		{"not recorded alone", broadcast.Result{Err: broadcast.Permanent(notRecorded)}, true},
		{"not recorded, not marked permanent", broadcast.Result{Err: notRecorded}, false},
		{"another failure", broadcast.Result{Err: broadcast.Permanent(errors.New("refused"))}, false},
		{"joined to the channel's failure", broadcast.Result{
			Err: errors.Join(broadcast.Permanent(errors.New("banned")), notRecorded)}, false},
		{"a target pending", broadcast.Result{Err: broadcast.Permanent(notRecorded), Pending: failed}, false},
		{"a target refused for good", broadcast.Result{
			Err: broadcast.Permanent(errors.Join(&broadcast.TargetsError{Failures: failed}, notRecorded)), Failures: failed}, false},
	} {
		assert.Equal(t, tt.want, tt.r.Unrecorded(), tt.name)
	}
}
