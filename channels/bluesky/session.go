package bluesky

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/channels/internal/ratelimit"
	"github.com/outagecast/outagecast/redact"
)

// session is a login's tokens and the account they act for. Sessions are
// never changed once made; a renewal makes a new one.
type session struct {
	access, refresh redact.Secret
	did, handle     string
	rd              *redact.Redactor // of the channel's secrets and the tokens
	expires         time.Time        // the access token's "exp"; zero when it has none
}

// expiryMargin is how long before its "exp" an access token is renewed
// rather than sent: a clock a little off, and the request's own time.
const expiryMargin = time.Minute

// expired reports whether s's access token has expired by now, within
// expiryMargin: sent, the server would refuse it (ExpiredToken).
func (s *session) expired(now time.Time) bool {
	return !s.expires.IsZero() && !now.Before(s.expires.Add(-expiryMargin))
}

// accessExpiry reads when the access token jwt, received at now by the
// channel's clock, expires, unverified: it only says when to renew. With
// an "iat" claim it is now plus the token's lifetime (exp - iat), so that
// a clock off from the server's renews neither early nor late; without,
// "exp" itself; the zero time when there is none or it is not one a
// server would issue (see maxExp).
func accessExpiry(jwt string, now time.Time) time.Time {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp int64 `json:"exp"`
		Iat int64 `json:"iat"`
	}
	switch {
	case json.Unmarshal(payload, &claims) != nil || claims.Exp <= 0 || claims.Exp > maxExp:
		return time.Time{}
	case claims.Iat > 0 && claims.Exp <= claims.Iat:
		return time.Time{}
	case claims.Iat > 0:
		return now.Add(time.Duration(min(claims.Exp-claims.Iat, 1<<30)) * time.Second)
	}
	return time.Unix(claims.Exp, 0)
}

// maxExp is the last "exp" read as a time (the end of year 9999): a later
// one is no server's, and time.Unix would wrap it round to a time long
// past, which would renew the session before every request. So would an
// "exp" not after its "iat": both say nothing of when to renew.
const maxExp = 253402300799

// sessions keeps the channel's one session. Only one login or refresh
// runs at a time (the login limit is tight: 30 per 5 minutes and 300 per
// day per account); a caller whose context ends while it waits gives up.
type sessions struct {
	sem chan struct{} // holds one token while a login or refresh runs
	mu  sync.Mutex
	cur *session
	// runs counts the logins and renewals finished; failed is the error
	// of the latest, nil when it succeeded or its caller's context ended
	// (a reason of that caller's, not the server's). A caller that waited
	// for a login or renewal that failed takes its error rather than make
	// another, which would only pay again from the login limit.
	runs    int
	failed  error
	waiting int // callers waiting in lock
}

func newSessions() *sessions { return &sessions{sem: make(chan struct{}, 1)} }

// state returns the session, the runs finished and the error of the latest.
func (ss *sessions) state() (cur *session, runs int, failed error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.cur, ss.runs, ss.failed
}

// finish records the outcome of a login or renewal run by a caller
// with ctx: s, the new session, unless err.
func (ss *sessions) finish(ctx context.Context, s *session, err error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.runs++
	ss.failed = nil
	switch {
	case err == nil:
		ss.cur = s
	case ctx.Err() == nil:
		ss.failed = err
	}
}

// finished returns how many logins and renewals finished.
func (ss *sessions) finished() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.runs
}

// waiters returns how many callers wait for the right to log in or
// refresh.
func (ss *sessions) waiters() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.waiting
}

// lock waits for the right to log in or refresh.
func (ss *sessions) lock(ctx context.Context, op string) (unlock func(), err error) {
	ss.mu.Lock()
	ss.waiting++
	ss.mu.Unlock()
	defer func() {
		ss.mu.Lock()
		ss.waiting--
		ss.mu.Unlock()
	}()
	select {
	case ss.sem <- struct{}{}:
		return func() { <-ss.sem }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("bluesky: %s: wait for the session: %w", op, ctx.Err())
	}
}

// session returns the channel's session, logging in when it has none.
// A caller that waited for another's login takes its session, or its
// error when it failed.
func (c *Channel) session(ctx context.Context, op string) (*session, error) {
	ss := c.s.sessions
	cur, runs, _ := ss.state()
	if cur != nil {
		return cur, nil
	}
	unlock, err := ss.lock(ctx, op)
	if err != nil {
		return nil, err
	}
	defer unlock()
	cur, now, failed := ss.state()
	switch {
	case cur != nil: // made by the caller we waited for
		return cur, nil
	case now != runs && failed != nil: // the login we waited for failed
		return nil, failed
	}
	s, err := c.login(ctx)
	ss.finish(ctx, s, err)
	return s, err
}

// renew replaces the session used, whose access token the server refused
// as expired: with refreshSession, or a login when the refresh token is
// expired too. A session another caller renewed meanwhile is taken as is;
// the error of a renewal that failed while this caller waited is returned.
func (c *Channel) renew(ctx context.Context, op string, used *session) (*session, error) {
	ss := c.s.sessions
	_, runs, _ := ss.state()
	unlock, err := ss.lock(ctx, op)
	if err != nil {
		return nil, err
	}
	defer unlock()
	cur, now, failed := ss.state()
	switch {
	case cur != nil && cur != used:
		return cur, nil
	case now != runs && failed != nil:
		return nil, failed
	}
	s, relogin, err := c.refresh(ctx, used)
	if relogin {
		s, err = c.login(ctx)
	}
	ss.finish(ctx, s, err)
	return s, err
}

// login makes a session with com.atproto.server.createSession.
func (c *Channel) login(ctx context.Context) (*session, error) {
	const op = opLogin
	in := map[string]string{"identifier": c.s.identifier, "password": c.s.password.Reveal()}
	resp, err := c.do(ctx, http.MethodPost, "com.atproto.server.createSession", nil, in, nil, redact.Secret{})
	if err != nil {
		return nil, c.s.redactor.Error(fmt.Errorf("bluesky: %s: %w", op, err))
	}
	if err := c.classify(op, resp, c.s.redactor); err != nil {
		return nil, c.s.redactor.Error(err)
	}
	return c.parseSession(op, resp.Body)
}

// refresh renews used with com.atproto.server.refreshSession. relogin
// reports that the server refused the refresh token itself (expired,
// revoked, or not valid), so that only a login can help: its own XRPC
// error, never another server's 401 (a proxy's page), which a login would
// not cure.
func (c *Channel) refresh(ctx context.Context, used *session) (s *session, relogin bool, err error) {
	const op = "refresh session"
	resp, err := c.do(ctx, http.MethodPost, "com.atproto.server.refreshSession", nil, nil, used, used.refresh)
	if err != nil {
		return nil, false, c.redactor(used).Error(fmt.Errorf("bluesky: %s: %w", op, err))
	}
	if err := c.classify(op, resp, c.redactor(used), used.refresh); err != nil {
		xe := xrpcError(c.redactor(used), resp)
		relogin = sessionExpired(xe) || (resp.Status == http.StatusUnauthorized && xe.Name != "")
		return nil, relogin, c.redactor(used).Error(err)
	}
	s, err = c.parseSession(op, resp.Body)
	return s, false, err
}

// parseSession reads the output of createSession and refreshSession. An
// output without a session is not the server's answer (classify refuses
// one that echoes the request).
func (c *Channel) parseSession(op string, body []byte) (*session, error) {
	var out struct {
		AccessJwt  string `json:"accessJwt"`
		RefreshJwt string `json:"refreshJwt"`
		Handle     string `json:"handle"`
		DID        string `json:"did"`
	}
	if json.Unmarshal(body, &out) != nil || out.AccessJwt == "" || out.RefreshJwt == "" || !strings.HasPrefix(out.DID, "did:") {
		return nil, broadcast.Permanent(fmt.Errorf("bluesky: %s: %w: the answer holds no session", op, errNotXRPC))
	}
	access, refresh := redact.NewSecret(out.AccessJwt), redact.NewSecret(out.RefreshJwt)
	return &session{access: access, refresh: refresh, did: out.DID, handle: out.Handle,
		rd: c.s.redactor.With(access, refresh), expires: accessExpiry(out.AccessJwt, c.s.now())}, nil
}

// call makes one XRPC request for op with the channel's session, renewing
// it once when the server says it expired. It returns the response (when
// one came), the session used, and the classified, redacted error: this is
// the one place the server's or a transport's text enters the errors of
// Send, Retract and Check. The request's limits are reserved before the
// session is taken (see reserve): a wait for them may outlast the access
// token's two hours, and a token whose "exp" passed meanwhile is renewed
// before the request, not sent to be refused.
func (c *Channel) call(ctx context.Context, op, method, nsid string, query url.Values, in any) (*httpx.Response, *session, error) {
	r, s, err := c.reserve(ctx, op, nsid, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.exchange(ctx, r, method, nsid, query, in, s, s.access)
	if err == nil && resp.Status >= 400 && sessionExpired(xrpcError(c.redactor(s), resp)) {
		if r, s, err = c.reserve(ctx, op, nsid, s); err != nil {
			return nil, nil, err
		}
		resp, err = c.exchange(ctx, r, method, nsid, query, in, s, s.access)
	}
	if err != nil {
		return nil, s, c.redactor(s).Error(fmt.Errorf("bluesky: %s: %w", op, err))
	}
	if err := c.classify(op, resp, c.redactor(s)); err != nil {
		return resp, s, c.redactor(s).Error(err)
	}
	return resp, s, nil
}

// reserve waits until a request of the XRPC method nsid may be made and
// reserves it (see reserveLimits), then takes the channel's session: after
// the wait, so that a wait outlasting the access token does not send it
// expired. A session that is missing, refused (the one the server
// refused), or expired by its "exp" is made or renewed with the
// reservation given back, and the request reserved again: a read's
// reservation of the IP address's limit, which the login and the refresh
// count against too, would hold its own renewal. A session this call
// renewed whose "exp" had passed already when it came (a clock off from
// the server's) is taken as it is: the server says when it expired.
func (c *Channel) reserve(ctx context.Context, op, nsid string, refused *session) (*ratelimit.Reservation, *session, error) {
	var asIs *session
	for {
		r, err := c.reserveLimits(ctx, limitGroup(nsid), nsid)
		if err != nil {
			return nil, nil, c.s.redactor.Error(fmt.Errorf("bluesky: %s: %w", op, err))
		}
		cur, _, _ := c.s.sessions.state()
		if cur != nil && cur != refused && (cur == asIs || !cur.expired(c.s.now())) {
			return r, cur, nil
		}
		r.Release()
		var s *session
		if cur == nil {
			s, err = c.session(ctx, op)
		} else {
			s, err = c.renew(ctx, op, cur)
		}
		if err != nil {
			return nil, nil, err
		}
		if s.expired(c.s.now()) {
			asIs = s
		}
	}
}

// do sends one XRPC request, with token as its bearer unless it is zero,
// once its limits allow it (see reserveLimits): the login and the refresh
// of the session, and reads made with a session as it is.
func (c *Channel) do(ctx context.Context, method, nsid string, query url.Values, in any, s *session, token redact.Secret) (*httpx.Response, error) {
	r, err := c.reserveLimits(ctx, limitGroup(nsid), nsid)
	if err != nil {
		return nil, err
	}
	return c.exchange(ctx, r, method, nsid, query, in, s, token)
}

// exchange sends one XRPC request, with token as its bearer unless it is
// zero, which r reserved: the answer says what its limits have left, and
// gives r back (a request that gets none gives it back too). httpx
// redacts the errors, and the body of an answer other than 2xx, of the
// channel's and s's credentials; a 2xx is left as it came, and the text
// of it an error quotes is redacted there (classify).
func (c *Channel) exchange(ctx context.Context, r *ratelimit.Reservation, method, nsid string, query url.Values, in any, s *session, token redact.Secret) (*httpx.Response, error) {
	// Deferred, so that a panic of the transport gives the points back
	// too; once the answer's Note gave them back, it does nothing.
	defer r.Release()
	var body []byte
	contentType := ""
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return nil, broadcast.Permanent(fmt.Errorf("encode input: %w", err))
		}
		contentType = "application/json"
	}
	u := c.s.service + "/xrpc/" + nsid
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := httpx.NewRequest(ctx, method, u, body, contentType)
	if err != nil {
		return nil, broadcast.Permanent(err)
	}
	req.Header.Set("Accept", "application/json")
	if !token.IsZero() {
		req.Header.Set("Authorization", "Bearer "+token.Reveal())
	}
	resp, err := httpx.Do(c.s.client, req, 0, c.redactor(s))
	if err != nil {
		return nil, err
	}
	c.noteLimits(r, limitGroup(nsid), resp.Header)
	return resp, nil
}

// redactor returns the Redactor of the channel's password and s's tokens
// (the server may echo the tokens it issued), built once per session when
// the session is made.
func (c *Channel) redactor(s *session) *redact.Redactor {
	if s == nil {
		return c.s.redactor
	}
	return s.rd
}
