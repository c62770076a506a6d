package email

import (
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
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

	mu      sync.Mutex
	settled *sync.Cond // signalled when checks falls
	// checks counts the kept connections taken whose RSET is not answered
	// yet (see kept).
	checks int
	// proven: a connection authenticated in this attempt, or one kept
	// from an earlier one answered its RSET with 250.
	proven bool
	// update is the ID of the update a Send delivers, "" for a Check.
	update string
	// refusedBefore: the token was fetched after a 535 to XOAUTH2 at an
	// earlier attempt of the same update that no authentication has
	// cleared since (see retryAuth). Set by fetch.
	refusedBefore bool
}

// newAttempt starts an attempt to deliver the update with ID update, or a
// Check when update is "".
func (c *Channel) newAttempt(update string) *attempt {
	a := &attempt{ch: c, update: update}
	a.settled = sync.NewCond(&a.mu)
	a.scrub.Store(c.scrubber(""))
	a.fetch = sync.OnceValues(func() (*oauth2.Token, error) {
		a.refusedBefore = c.refused.has(update)
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
		err = fmt.Errorf("email: get XOAUTH2 token: %w", err)
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 {
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

// authenticated records that a connection authenticated, with an XOAUTH2
// token when xoauth2: a refused token is forgotten (see retryAuth).
func (a *attempt) authenticated(xoauth2 bool) {
	a.mu.Lock()
	a.proven = true
	a.mu.Unlock()
	if xoauth2 {
		a.ch.refused.forget(a.update)
	}
}

// kept takes a connection kept from an earlier Send, nil if there is none,
// and counts it as under check until its RSET, which goes out with the
// first transaction, is answered (see conn.settle). Only a 250 to it
// proves the configuration good, as a dial that authenticates does: a
// connection the server closed while it was idle, or that answers 421,
// proves nothing. It is taken under a.mu, so that a worker that finds the
// pool empty, and then fails to connect, waits for the check of the one
// that emptied it (see permanent).
func (a *attempt) kept() *conn {
	a.mu.Lock()
	defer a.mu.Unlock()
	cn := a.ch.pool.get()
	if cn != nil {
		a.checks++
		cn.check = a.checked
	}
	return cn
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
// With XOAUTH2 the first one is: the token may have expired or been
// revoked on the way, and the TokenSource hands out a fresh one at the
// next attempt. A 535 again, at a later attempt of the same update with
// the token fetched after it, is not, nor one to a password. The Channel
// remembers the refusal per update, until a connection of one of its
// attempts authenticates, so that the Sends of other updates, and Checks,
// each have a first 535 of their own. A Check has no later attempt: its
// 535 is always the first.
func (a *attempt) retryAuth() bool {
	if a.ch.authMethod() != AuthXOAUTH2 {
		return false
	}
	if a.refusedBefore {
		a.ch.refused.forget(a.update)
		return false
	}
	a.ch.refused.add(a.update)
	return true
}

// refusalMemory is how long a Channel remembers an update's refused
// token: an update that is not tried again (its retries given up after
// the first 535) is forgotten then.
const refusalMemory = time.Hour

// refusals holds the updates (by ID) whose token a 535 refused at an
// attempt, with when, until a later attempt's connection authenticates,
// or its 535 is final (see attempt.retryAuth). The zero value is ready.
type refusals struct {
	mu sync.Mutex
	m  map[string]time.Time
}

// has reports whether update's token was refused; never for "", a Check.
func (r *refusals) has(update string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.m[update]
	return ok && update != ""
}

// add remembers that update's token was refused, and forgets the
// refusals older than refusalMemory. It does nothing for "".
func (r *refusals) add(update string) {
	if update == "" {
		return
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]time.Time{}
	}
	maps.DeleteFunc(r.m, func(_ string, t time.Time) bool { return now.Sub(t) > refusalMemory })
	r.m[update] = now
}

// forget forgets update's refusal.
func (r *refusals) forget(update string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, update)
}
