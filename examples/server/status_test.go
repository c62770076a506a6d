package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// A channel whose job River deleted, and of which the Store has no post,
// is "unknown", not "failed": nothing says it failed.
func TestOutcomeOfADeletedJobIsUnknown(t *testing.T) {
	for want, r := range map[string]broadcast.Result{
		outcomeUnknown:   {Channel: "x", Err: fmt.Errorf("x: %w", dispatch.ErrJobDeleted)},
		outcomePending:   {Channel: "x", Err: dispatch.ErrPending},
		outcomeFailed:    {Channel: "x", Err: errors.New("refused")},
		outcomeDelivered: {Channel: "x"},
		outcomeEdited:    {Channel: "x", Edited: true}, // a correction edited in place
	} {
		assert.Equal(t, want, outcome(r), "%v", r.Err)
	}
}
