package channeltest

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/outagecast/outagecast/broadcast"
)

var _ broadcast.Ledger = (*Ledger)(nil)

// errFailed stands for the failure of MarkFailed(target, nil).
var errFailed = errors.New("channeltest: failed")

// Ledger is a broadcast.Ledger in memory, safe for concurrent use, that
// lists its marks. An adapter's own tests can put one in a Message to check
// which targets a Send marked, or to pre-mark targets as done by an earlier
// attempt. It stands for the Ledger of one Send, in which a target marked
// failed is done; the Broadcaster's Ledger of a later Send tries it again.
// The zero Ledger is empty and ready to use.
type Ledger struct {
	mu    sync.Mutex
	marks map[string]error             // nil: delivered
	posts map[string]broadcast.Receipt // by target
}

// NewLedger returns an empty Ledger.
func NewLedger() *Ledger {
	return &Ledger{}
}

// Done reports whether target was marked delivered or failed; failure is
// the text of the error it was marked failed with, "" when it was
// delivered.
func (l *Ledger) Done(target string) (done bool, failure string) {
	if target == "" {
		return true, errEmptyTarget.Error() // as the Broadcaster's Ledger answers
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	err, ok := l.marks[target]
	if ok && err != nil {
		failure = err.Error()
	}
	return ok, failure
}

// MarkDelivered records that target received the update.
func (l *Ledger) MarkDelivered(target string) error {
	if target == "" {
		return errEmptyTarget
	}
	l.mark(target, nil)
	return nil
}

// MarkFailed records that target failed permanently with err. A nil err,
// or one with no text, is recorded as a failure all the same.
func (l *Ledger) MarkFailed(target string, err error) error {
	if target == "" {
		return errEmptyTarget
	}
	if err == nil || err.Error() == "" {
		err = errFailed
	}
	l.mark(target, err)
	return nil
}

// MarkPosted records that target received the update as post.
func (l *Ledger) MarkPosted(target string, post broadcast.Receipt) error {
	if target == "" {
		return errEmptyTarget
	}
	post.Meta = maps.Clone(post.Meta)
	l.mu.Lock()
	if l.posts == nil {
		l.posts = map[string]broadcast.Receipt{}
	}
	l.posts[target] = post
	l.mu.Unlock()
	l.mark(target, nil)
	return nil
}

// Post returns the post MarkPosted recorded for target.
func (l *Ledger) Post(target string) (broadcast.Receipt, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.posts[target]
	p.Meta = maps.Clone(p.Meta)
	return p, ok
}

// errEmptyTarget refuses target "", as broadcast.Ledger says.
var errEmptyTarget = errors.New(`channeltest: Ledger target "": a target must have a name`)

func (l *Ledger) mark(target string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.marks == nil {
		l.marks = map[string]error{}
	}
	l.marks[target] = err
}

// Delivered returns the targets marked delivered, sorted; nil if none.
// Marks under keys that start with NUL are left out: no target has a
// control character, and broadcast keeps such keys for marks that are no
// target's (Fanout.MarkProgress).
func (l *Ledger) Delivered() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for target, err := range l.marks {
		if err == nil && !strings.HasPrefix(target, "\x00") {
			out = append(out, target)
		}
	}
	slices.Sort(out)
	return out
}

// Failed returns the targets marked failed, with their errors; nil if
// none.
func (l *Ledger) Failed() map[string]error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out map[string]error
	for target, err := range l.marks {
		if err != nil {
			if out == nil {
				out = map[string]error{}
			}
			out[target] = err
		}
	}
	return out
}
