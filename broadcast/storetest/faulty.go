package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/outagecast/outagecast/broadcast"
)

// errInjected is the error of every call faulty fails.
var errInjected = errors.New("storetest: injected store failure")

// faulty is a Store that fails chosen calls of the Store it wraps, so the
// suite can see what a Broadcaster does when the Store under test fails,
// without that Store's help. Calls not failed go through unchanged.
type faulty struct {
	broadcast.Store

	mu     sync.Mutex
	faults []*fault
}

// call is one Store call as a fault sees it.
type call struct {
	method  string // "Thread", "SaveReceipt", "Receipt", "Done" or "Mark"
	id      string // the incident (Thread) or the update (the others)
	channel string
	target  string // Done and Mark; "" for the others
}

// fault fails the calls it matches: the first times of them, or every one
// when times is negative.
type fault struct {
	match  func(call) bool
	times  int
	failed int
}

func newFaulty(s broadcast.Store) *faulty { return &faulty{Store: s} }

// fail makes the Store fail the first times calls that match (every one
// when times is negative). The fault's count of failures says whether the
// Broadcaster made the calls at all.
func (f *faulty) fail(times int, match func(call) bool) *fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	ft := &fault{match: match, times: times}
	f.faults = append(f.faults, ft)
	return ft
}

// failures returns how many calls ft failed.
func (f *faulty) failures(ft *fault) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return ft.failed
}

// inject returns the error c fails with, or nil.
func (f *faulty) inject(c call) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ft := range f.faults {
		if ft.match(c) && (ft.times < 0 || ft.failed < ft.times) {
			ft.failed++
			return fmt.Errorf("%s: %w", c.method, errInjected)
		}
	}
	return nil
}

// on matches the calls of method on channel and target.
func on(method, channel, target string) func(call) bool {
	return func(c call) bool { return c.method == method && c.channel == channel && c.target == target }
}

// writes matches every write.
func writes(c call) bool { return c.method == "SaveReceipt" || c.method == "Mark" }

func (f *faulty) Thread(ctx context.Context, incidentID, channel string) (broadcast.Thread, error) {
	if err := f.inject(call{method: "Thread", id: incidentID, channel: channel}); err != nil {
		return broadcast.Thread{}, err
	}
	return f.Store.Thread(ctx, incidentID, channel)
}

func (f *faulty) SaveReceipt(ctx context.Context, incidentID, updateID string, r broadcast.Receipt) error {
	if err := f.inject(call{method: "SaveReceipt", id: updateID, channel: r.Channel}); err != nil {
		return err
	}
	return f.Store.SaveReceipt(ctx, incidentID, updateID, r)
}

func (f *faulty) Receipt(ctx context.Context, updateID, channel string) (broadcast.Receipt, bool, error) {
	if err := f.inject(call{method: "Receipt", id: updateID, channel: channel}); err != nil {
		return broadcast.Receipt{}, false, err
	}
	return f.Store.Receipt(ctx, updateID, channel)
}

func (f *faulty) Done(ctx context.Context, updateID, channel, target string) (bool, string, error) {
	if err := f.inject(call{method: "Done", id: updateID, channel: channel, target: target}); err != nil {
		return false, "", err
	}
	return f.Store.Done(ctx, updateID, channel, target)
}

func (f *faulty) Mark(ctx context.Context, updateID, channel, target string, failure error) error {
	if err := f.inject(call{method: "Mark", id: updateID, channel: channel, target: target}); err != nil {
		return err
	}
	return f.Store.Mark(ctx, updateID, channel, target, failure)
}
