package email

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

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
	// proven: a connection authenticated, dialled in this attempt or kept
	// from an earlier one. Set under batch.mu for a kept one: see kept.
	proven atomic.Bool
	// refusedBefore: the token was fetched after a 535 to XOAUTH2 that no
	// authentication has cleared since (see retryAuth). Set by fetch.
	refusedBefore bool
}

func (c *Channel) newAttempt() *attempt {
	a := &attempt{ch: c}
	a.scrub.Store(c.scrubber(""))
	a.fetch = sync.OnceValues(func() (*oauth2.Token, error) {
		a.refusedBefore = c.authRefused.Load()
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
// attempt authenticated already: it proved the host, TLS and credentials
// good, so a refusal now is more likely a server-side blip (a bad node
// behind a load balancer, a server restarting) than a reason to fail the
// recipients not sent yet for good. They stay pending.
func (a *attempt) permanent(err error) error {
	if a.proven.Load() {
		return err
	}
	return broadcast.Permanent(err)
}

// authenticated records that a connection authenticated, with an XOAUTH2
// token when xoauth2: a refused token is forgotten (see retryAuth).
func (a *attempt) authenticated(xoauth2 bool) {
	a.proven.Store(true)
	if xoauth2 {
		a.ch.authRefused.Store(false)
	}
}

// retryAuth reports whether a 535 reply to AUTH is worth another attempt.
// With XOAUTH2 the first one is: the token may have expired or been
// revoked on the way, and the TokenSource hands out a fresh one at the
// next attempt. A 535 again with the token fetched after it is not, nor
// one to a password. The Channel remembers the refusal until a connection
// authenticates.
func (a *attempt) retryAuth() bool {
	if a.ch.authMethod() != AuthXOAUTH2 || a.refusedBefore {
		return false
	}
	a.ch.authRefused.Store(true)
	return true
}
