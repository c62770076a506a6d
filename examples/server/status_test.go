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
// is "unknown", not "failed": nothing says it failed. One that delivered
// but whose delivery the Store could not record is not "failed" either.
func TestOutcomeOfEachResult(t *testing.T) {
	for want, r := range map[string]broadcast.Result{
		outcomeUnknown:   {Channel: "x", Err: fmt.Errorf("x: %w", dispatch.ErrJobDeleted)},
		outcomePending:   {Channel: "x", Err: dispatch.ErrPending},
		outcomeFailed:    {Channel: "x", Err: errors.New("refused")},
		outcomeDelivered: {Channel: "x"},
		outcomeEdited:    {Channel: "x", Edited: true}, // a correction edited in place
		// Delivered, only its record failed: posting it again would post
		// it twice.
		"delivered_not_recorded": {Channel: "x", Receipt: broadcast.Receipt{ID: "1"},
			Err: broadcast.Permanent(fmt.Errorf("%w: store: mark delivered: disk full", broadcast.ErrNotRecorded))},
	} {
		assert.Equal(t, want, outcome(r), "%v", r.Err)
	}
}
