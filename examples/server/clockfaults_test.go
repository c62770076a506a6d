package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/broadcast"
)

// A time or next_update too far ahead of the clock, which the
// Broadcaster refuses, is named with the update's other faults, in one
// 422, as the package documentation promises: before, checkUpdate named
// the others alone, and the client learnt of the time in a second 422,
// once it had mended them.
func TestClockFaultsNamedWithTheOthers(t *testing.T) {
	fields := func(bad *inputError) []string {
		var out []string
		for _, e := range bad.all() {
			out = append(out, e.field)
		}
		return out
	}
	u := broadcast.Update{Title: "CDN", Status: "fixed", Time: time.Now().Add(time.Hour)}
	assert.ElementsMatch(t, []string{"status", "time"}, fields(checkUpdate(u, nil)))

	u = broadcast.Update{Status: broadcast.StatusInvestigating, NextUpdate: time.Now().Add(broadcast.MaxNextUpdateAhead + time.Hour)}
	assert.ElementsMatch(t, []string{"title", "next_update"}, fields(checkUpdate(u, nil)))
}
