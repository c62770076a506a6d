package channeltest_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// afterClose is what a closable chat does once closed.
type afterClose int

const (
	staysUsable       afterClose = iota // Send delivers; Close again is nothing
	failsTransient                      // Send fails with an unmarked error
	secondClosePanics                   // Send fails for good; Close again panics
	leavesGoroutine                     // Send fails for good; Close leaves a goroutine running
	closePanics                         // Close panics
	sendPanics                          // Send panics
	failsUnmatched                      // Send fails for good with an error not matching broadcast.ErrChannelClosed
)

// errChatClosed is the closed error of a closable that fails for good.
var errChatClosed = broadcast.ClosedError("chat: closed")

// closable is the reference chat with a Close. It is no pointer, so that
// its nil value is not called: only the Close rule is told apart.
type closable struct {
	*chat
	closes *atomic.Int32
	then   afterClose
	ended  <-chan struct{} // closed at the test's end
}

func (c closable) Close() error {
	n := c.closes.Add(1)
	switch {
	case c.then == closePanics:
		panic("close of nil channel")
	case n > 1 && c.then == secondClosePanics:
		panic("close of closed channel")
	case c.then == leavesGoroutine:
		go func() { <-c.ended }() // a reconnect loop left running
	}
	return nil
}

func (c closable) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if c.closes.Load() > 0 {
		switch c.then {
		case failsTransient:
			return broadcast.Receipt{}, errors.New("chat: closed")
		case secondClosePanics, leavesGoroutine, closePanics:
			return broadcast.Receipt{}, broadcast.Permanent(errChatClosed)
		case sendPanics:
			panic("invalid memory address or nil pointer dereference")
		case failsUnmatched:
			return broadcast.Receipt{}, broadcast.Permanent(errors.New("chat: closed"))
		}
	}
	return c.chat.Send(ctx, m)
}

// closing returns the reference harness with its channel a closable that
// does then once closed.
func closing(then afterClose) channeltest.Harness {
	h := chatHarness()
	newChat := h.New
	h.New = func(t *testing.T) (broadcast.Channel, channeltest.Backend) {
		ch, be := newChat(t)
		ended := make(chan struct{})
		t.Cleanup(func() { close(ended) })
		return closable{chat: ch.(*chat), closes: new(atomic.Int32), then: then, ended: ended}, be
	}
	// These cases are of Close: ThreadSurvivesRestart, which would close
	// the channel too, keeps the one channel.
	h.Reopen = nil
	return h
}

// closableNotRun are the rules a closable's harness does not run.
var closableNotRun = slices.Concat(fanoutOnly, ownClientOnly, unthreadedOnly, reopenOnly,
	[]string{"NilOrZeroChannelFails"})

func closeCases() []brokenCase {
	return []brokenCase{
		{"StaysUsableAfterClose", closing(staysUsable), nil, closableNotRun, ""},
		{"TransientAfterClose", closing(failsTransient), []string{"SendAfterCloseFailsForGood", "CloseDuringSends"}, closableNotRun,
			`Send after Close: IsPermanent("chat: closed")`},
		{"SecondClosePanics", closing(secondClosePanics), []string{"SendAfterCloseFailsForGood"}, closableNotRun,
			"Close 2 panicked: close of closed channel"},
		{"CloseLeavesGoroutine", closing(leavesGoroutine), []string{"CloseDuringSends"}, closableNotRun,
			"a goroutine started since the Sends began outlives Close and them"},
		{"ClosePanics", closing(closePanics), []string{"SendAfterCloseFailsForGood", "CloseDuringSends"}, closableNotRun,
			"Close during Sends"},
		{"ClosedErrorUnmatched", closing(failsUnmatched), []string{"SendAfterCloseFailsForGood", "CloseDuringSends"}, closableNotRun,
			`errors.Is("chat: closed", broadcast.ErrChannelClosed)`},
		{"SendPanicsAfterClose", closing(sendPanics), []string{"SendAfterCloseFailsForGood", "CloseDuringSends"},
			closableNotRun, "channeltest: the call panicked: invalid memory address or nil pointer dereference"},
	}
}
