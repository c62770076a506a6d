package email

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// attempt is what the connections of one attempt (a Send, or a Check)
// share: the XOAUTH2 token, fetched at the first dial and not before, so
// that a Send whose kept connections do the work needs none, and fetched
// once more after the server refused it (see refresh); the scrubber of
// the attempt's secrets, the tokens of the connections it takes up
// included; and whether a connection of the attempt
// authenticated, which makes a later refusal to connect transient (see
// permanent).
type attempt struct {
	ch    *Channel
	scrub atomic.Pointer[scrubber]

	// tokMu is held while the TokenSource is called, so that the
	// attempt's connections wait for the one token rather than each fetch
	// their own.
	tokMu     sync.Mutex
	fetched   bool   // the TokenSource was called
	tok       string // the token the attempt dials with
	tokErr    error  // the first call's failure, as it came
	refreshed bool   // the TokenSource was called again after a 535 (see refresh)
	freshTok  string // the token that call handed out, if it was another
	// noFresh is why that call gave no other token: its failure, as it
	// came, or the refusal, when it handed out the refused token again
	// (matching errTokenRefused).
	noFresh error

	mu      sync.Mutex
	settled *sync.Cond // signalled when checks falls
	// checks counts the kept connections taken whose RSET is not answered
	// yet (see kept).
	checks int
	// proven: a connection authenticated in this attempt, or one kept
	// from an earlier one answered its RSET with a 2yz reply (250).
	proven bool
}

// newAttempt starts an attempt: a Send's, or a Check's.
func (c *Channel) newAttempt() *attempt {
	a := &attempt{ch: c}
	a.settled = sync.NewCond(&a.mu)
	a.scrub.Store(c.scrubber())
	return a
}

// scrubber removes the attempt's secrets: the password, and the tokens
// once they were fetched.
func (a *attempt) scrubber() *scrubber { return a.scrub.Load() }

// token returns the attempt's XOAUTH2 bearer token, "" without a
// TokenSource. The first call fetches it, within ctx.
func (a *attempt) token(ctx context.Context) (string, error) {
	if a.ch.cfg.TokenSource == nil {
		return "", nil
	}
	a.tokMu.Lock()
	if !a.fetched {
		a.fetched = true
		a.tok, a.tokErr = a.fetch(ctx)
	}
	tok, err := a.tok, a.tokErr
	if a.noFresh != nil {
		err = a.noFresh // tok was refused, and no other is to be had: see refresh
	}
	a.tokMu.Unlock()
	if err != nil {
		return "", a.tokenError(err)
	}
	return tok, nil
}

// refresh returns a fresh token after the server refused used, its
// refusal: a token it has not refreshed yet (see dialError). It calls
// the TokenSource once per attempt: connections refused the same token
// meanwhile get the token that call returned. A token refused after that
// is not refreshed again: a 535 to it is final (see dialError). When the
// call fails, or hands out the refused token again (a cached token the
// TokenSource still takes for valid), there is no fresh token to dial
// with: the failure, or the refusal, stands, the refusal transient, for
// the next attempt, whose TokenSource may have one; and no other
// connection of this attempt dials with the refused token (see token).
func (a *attempt) refresh(ctx context.Context, used string, refusal error) (string, error) {
	a.tokMu.Lock()
	if !a.refreshed && a.tok == used {
		a.refreshed = true
		tok, err := a.fetch(ctx)
		switch {
		case err != nil:
			a.noFresh = err
		case tok == used:
			a.noFresh = a.ch.refusedCredential(fmt.Errorf(
				"%w; asked for a fresh token, the TokenSource handed out the same token again", refusal))
		default:
			a.tok, a.freshTok = tok, tok
		}
	}
	tok, err := a.tok, a.noFresh
	a.tokMu.Unlock()
	if tok != used {
		return tok, nil
	}
	return "", a.tokenError(err)
}

// fresh reports whether tok is the token the attempt fetched after a
// 535 to its first.
func (a *attempt) fresh(tok string) bool {
	a.tokMu.Lock()
	defer a.tokMu.Unlock()
	return a.freshTok != "" && tok == a.freshTok
}

// fetch calls the TokenSource, within ctx: a token endpoint that hangs
// holds the attempt no longer than its context (see httpx.TokenCall);
// tokMu is held. The scrubber learns the token at once, before any
// connection sends it.
func (a *attempt) fetch(ctx context.Context) (string, error) {
	t, err := a.ch.tokens.Token(ctx)
	if err != nil {
		return "", err
	}
	if t == nil || t.AccessToken == "" {
		return "", errEmptyToken
	}
	a.learn(t.AccessToken)
	return t.AccessToken, nil
}

// learn makes the attempt's scrubber remove token too: one it fetched, or
// the one a connection it took up (kept from an earlier Send, or handed
// over by another) authenticated with, which the server may quote in any
// later reply of the session.
func (a *attempt) learn(token string) {
	for {
		s := a.scrub.Load()
		if slices.Contains(s.tokens, token) || a.scrub.CompareAndSwap(s, s.with(a.ch, token)) {
			return
		}
	}
}

// errEmptyToken is the failure of a TokenSource that returned no token.
var errEmptyToken = errors.New("email: get XOAUTH2 token: empty access token")

// tokenError classifies a TokenSource's failure: a refused refresh (HTTP
// 4xx) and an empty token are permanent (as permanent decides). A refused
// token that the TokenSource handed out again (see refresh) is returned
// as it is: transient, and scrubbed.
func (a *attempt) tokenError(err error) error {
	switch {
	case errors.Is(err, errTokenRefused):
		return err
	case errors.Is(err, errEmptyToken):
		return a.permanent(err)
	}
	err, permanent := httpx.TokenError("email: get XOAUTH2 token", err)
	if permanent {
		err = a.permanent(err)
	}
	return a.scrubber().error(err)
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
	if cn.token != "" {
		a.learn(cn.token)
	}
}

// checked ends the check of a kept connection: answered, its RSET got a 2yz reply.
func (a *attempt) checked(answered bool) {
	a.mu.Lock()
	a.checks--
	a.proven = a.proven || answered
	a.mu.Unlock()
	a.settled.Broadcast()
}

// errTokenRefused is matched by the error of a 535 reply to an XOAUTH2
// token that the attempt has not refreshed yet (see dialError): the
// connection is dialled again with a fresh one (see attempt.refresh).
var errTokenRefused = errors.New("email: XOAUTH2 token refused")

// tokenRefused is such an error: err, matching errTokenRefused too.
type tokenRefused struct{ err error }

func (e *tokenRefused) Error() string        { return e.err.Error() }
func (e *tokenRefused) Unwrap() error        { return e.err }
func (e *tokenRefused) Is(target error) bool { return target == errTokenRefused }
