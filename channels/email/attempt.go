package email

import (
	"errors"
	"sync"
	"sync/atomic"

	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// attempt is what the connections of one attempt (a Send, or a Check)
// share: the XOAUTH2 token, fetched at the first dial and not before, so
// that a Send whose kept connections do the work needs none; the scrubber
// of the attempt's secrets; and whether a connection of the attempt
// authenticated, which makes a later refusal to connect transient (see
// permanent).
type attempt struct {
	ch    *Channel
	fetch func() (*oauth2.Token, error) // Config.TokenSource, called at most once
	scrub atomic.Pointer[scrubber]
	retry bool // a Send's attempt after the first (see retryAuth)

	mu      sync.Mutex
	settled *sync.Cond // signalled when checks falls
	// checks counts the kept connections taken whose RSET is not answered
	// yet (see kept).
	checks int
	// proven: a connection authenticated in this attempt, or one kept
	// from an earlier one answered its RSET with 250.
	proven bool
}

// newAttempt starts an attempt: a Send's (retry after its first), or a
// Check's.
func (c *Channel) newAttempt(retry bool) *attempt {
	a := &attempt{ch: c, retry: retry}
	a.settled = sync.NewCond(&a.mu)
	a.scrub.Store(c.scrubber(""))
	a.fetch = sync.OnceValues(func() (*oauth2.Token, error) {
		t, err := c.cfg.TokenSource()
		if err == nil && t != nil && t.AccessToken != "" {
			a.scrub.Store(c.scrubber(t.AccessToken))
		}
		return t, err
	})
	return a
}

// scrubber removes the attempt's secrets: the password, and the token
// once it was fetched.
func (a *attempt) scrubber() *scrubber { return a.scrub.Load() }

// token returns the attempt's XOAUTH2 bearer token, "" without a
// TokenSource. The first call fetches it. A refused refresh (HTTP 4xx)
// and an empty token are permanent (as permanent decides).
func (a *attempt) token() (string, error) {
	if a.ch.cfg.TokenSource == nil {
		return "", nil
	}
	t, err := a.fetch()
	if err != nil {
		err, permanent := httpx.TokenError("email: get XOAUTH2 token", err)
		if permanent {
			err = a.permanent(err)
		}
		return "", a.scrubber().error(err)
	}
	if t == nil || t.AccessToken == "" {
		return "", a.permanent(errors.New("email: get XOAUTH2 token: empty access token"))
	}
	return t.AccessToken, nil
}

// permanent marks err, a failure to get a token or to connect, greet,
// secure or authenticate, broadcast.Permanent, unless a connection of the
// attempt authenticated already, or a kept one answered RSET: it proved the
// host, TLS and credentials good, so a refusal now is more likely a
// server-side blip (a bad node behind a load balancer, a server
// restarting) than a reason to fail the recipients not sent yet for good.
// They stay pending. It waits for the checks of kept connections under
// way, so that the outcome does not depend on which comes first.
func (a *attempt) permanent(err error) error {
	a.mu.Lock()
	for a.checks > 0 {
		a.settled.Wait()
	}
	proven := a.proven
	a.mu.Unlock()
	if proven {
		return err
	}
	return broadcast.Permanent(err)
}

// authenticated records that a connection authenticated.
func (a *attempt) authenticated() {
	a.mu.Lock()
	a.proven = true
	a.mu.Unlock()
}

// take takes a connection kept from an earlier Send, or else a slot for
// a connection to dial (slot true), or neither, with the waiter in line
// for one (see pool.take), for owner, a batch of the attempt. A kept
// connection counts as under check until its RSET, which goes out with
// the first transaction, is answered (see conn.settle); so does one
// handed over by another Send, from when it is handed. Only a 250 to it
// proves the configuration good, as a dial that authenticates does: a
// connection the server closed while it was idle, or that answers 421,
// proves nothing. It is taken under a.mu, so that a worker that finds
// the pool empty, and then fails to connect, waits for the check of the
// one that emptied it (see permanent).
func (a *attempt) take(owner *batch) (cn *conn, slot bool, w *waiter) {
	a.mu.Lock()
	defer a.mu.Unlock()
	cn, slot, w = a.ch.pool.take(owner, a.kept)
	if cn != nil {
		a.keep(cn)
	}
	return cn, slot, w
}

// kept starts the check of cn, handed over by another Send.
func (a *attempt) kept(cn *conn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keep(cn)
}

// keep starts the check of cn; a.mu is held.
func (a *attempt) keep(cn *conn) {
	a.checks++
	cn.check = a.checked
}

// checked ends the check of a kept connection: answered, its RSET got 250.
func (a *attempt) checked(answered bool) {
	a.mu.Lock()
	a.checks--
	a.proven = a.proven || answered
	a.mu.Unlock()
	a.settled.Broadcast()
}

// retryAuth reports whether a 535 reply to AUTH is worth another attempt.
// With XOAUTH2, at a Send's first attempt (broadcast.Message.Attempt 1) it
// is: the token may have expired or been revoked on the way, and the
// TokenSource hands out a fresh one at the next attempt. At a later
// attempt it is not, nor a 535 to a password. A Check has no later
// attempt: its 535 is always transient. It needs no state: another
// update's Send, or a Check, meets its own refusals, on this instance or
// another.
func (a *attempt) retryAuth() bool {
	return a.ch.authMethod() == AuthXOAUTH2 && !a.retry
}
