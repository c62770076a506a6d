package broadcast

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
)

// storeLedger is the Ledger handed to a channel: the Store, seen through one
// update and channel, for the whole of one Send. Marks use a context that is
// not cancelled with the Send, so a delivery that happened is recorded even
// as the caller gives up.
//
// It remembers what this Send marked, so that a mark the Store failed to
// write still counts on the next attempt (no second delivery), and it
// collects read and write failures for the Broadcaster: a read failure
// makes the attempt transient, a write failure makes the Result's error
// ErrNotRecorded.
type storeLedger struct {
	ctx     context.Context
	store   Store
	update  string
	channel string

	mu         sync.Mutex
	marked     map[string]string // this Send's marks: failure text, "" when delivered
	delivered  []string
	failed     []TargetFailure
	unread     []error // read failures of the current attempt
	unrecorded []error // write failures of the whole Send
}

func (l *storeLedger) init(ctx context.Context, store Store, update, channel string) {
	l.ctx, l.store, l.update, l.channel = ctx, store, update, channel
}

func (l *storeLedger) Done(target string) (bool, string) {
	if target == "" {
		// "" is the channel's own mark: never a target's, done or not.
		l.mu.Lock()
		if _, ok := l.marked[""]; !ok {
			l.remember("", errEmptyTarget.Error())
			l.failed = append(l.failed, TargetFailure{Target: "", Err: errEmptyTarget})
		}
		l.mu.Unlock()
		return true, errEmptyTarget.Error()
	}
	l.mu.Lock()
	f, ok := l.marked[target]
	l.mu.Unlock()
	if ok {
		return true, f
	}
	done, failure, err := l.store.Done(l.ctx, l.update, l.channel, target)
	if err != nil {
		err = fmt.Errorf("store: read mark of %s: %w", target, err)
		l.mu.Lock()
		l.unread = append(l.unread, err)
		l.mu.Unlock()
		return true, err.Error()
	}
	if failure != "" {
		// Failed in an earlier Send: the Result reports it too, since the
		// update never reached the target.
		l.mu.Lock()
		l.remember(target, failure)
		l.failed = append(l.failed, TargetFailure{Target: target, Err: &earlierError{failure}})
		l.mu.Unlock()
	}
	return done, failure
}

func (l *storeLedger) MarkDelivered(target string) error {
	if target == "" {
		return errEmptyTarget
	}
	l.mu.Lock()
	l.remember(target, "")
	l.delivered = append(l.delivered, target)
	l.mu.Unlock()
	return l.write(target, nil)
}

func (l *storeLedger) MarkFailed(target string, err error) error {
	if target == "" {
		return errEmptyTarget
	}
	err = cmp.Or(err, errFailedUnknown)
	l.mu.Lock()
	l.remember(target, failureText(err))
	l.failed = append(l.failed, TargetFailure{Target: target, Err: err})
	l.mu.Unlock()
	return l.write(target, err)
}

// remember keeps a mark of this Send; l.mu is held.
func (l *storeLedger) remember(target, failure string) {
	if l.marked == nil {
		l.marked = make(map[string]string) // most channels never mark a target
	}
	l.marked[target] = failure
}

func (l *storeLedger) write(target string, failure error) error {
	err := l.store.Mark(l.ctx, l.update, l.channel, target, failure)
	if err != nil {
		err = fmt.Errorf("store: mark %s: %w", target, err)
		l.mu.Lock()
		l.unrecorded = append(l.unrecorded, err)
		l.mu.Unlock()
	}
	return err
}

// takeUnread returns the read failures of the attempt that just ended and
// forgets them.
func (l *storeLedger) takeUnread() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := errors.Join(l.unread...)
	l.unread = nil
	return err
}

// outcome returns the targets marked delivered and failed during this Send,
// and the marks the Store failed to write.
func (l *storeLedger) outcome() (delivered []string, failed []TargetFailure, unrecorded error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.delivered, l.failed, errors.Join(l.unrecorded...)
}
