package bluesky

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
)

// XRPCError is an error answer of an XRPC method: its HTTP status and the
// body's {"error":"…","message":"…"}. Message is bounded, printable and free
// of credentials.
type XRPCError struct {
	Status  int    // the HTTP status, as 400
	Name    string // the error's name, as "ExpiredToken" or "RateLimitExceeded"
	Message string // as "Token has expired"
}

// Error returns "server answered 400 ExpiredToken: Token has expired".
func (e *XRPCError) Error() string {
	s := fmt.Sprintf("server answered %d", e.Status)
	if e.Name != "" {
		s += " " + e.Name
	} else if t := http.StatusText(e.Status); t != "" {
		s += " " + t
	}
	if e.Message != "" && e.Message != e.Name {
		s += ": " + e.Message
	}
	return s
}

// Error names an XRPC server uses.
const (
	errExpiredToken  = "ExpiredToken"
	errInvalidToken  = "InvalidToken"
	errInternal      = "InternalServerError"
	errInvalidSwap   = "InvalidSwap"
	errRecordExists  = "RecordAlreadyExists"
	errRecordMissing = "RecordNotFound"
	errAuthFactor    = "AuthFactorTokenRequired"
	// errAccountTakedown is a login's refusal of an account taken down:
	// not its credentials.
	errAccountTakedown = "AccountTakedown"
)

// xrpcError reads the error of a response that is not a success. The text
// it quotes passes through httpx.RedactedSnippet (a field) or
// httpx.BodySnippet (the body) with rd, the Redactor of the credentials
// the request carried, as every channel quotes a server's text: redacted
// whole, then cut, so that no part of a credential stays at the cut nor
// where httpx cut the body, whether or not httpx redacted it (it leaves a
// 2xx as it came). Call it only on an error path: a success is never
// redacted.
func xrpcError(rd *redact.Redactor, r *httpx.Response) *XRPCError {
	e := &XRPCError{Status: r.Status}
	var body struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(r.Body, &body) == nil && body.Error != "" {
		e.Name, e.Message = httpx.RedactedSnippet(rd, body.Error), httpx.RedactedSnippet(rd, body.Message)
		return e
	}
	e.Message = httpx.BodySnippet(rd, r)
	return e
}

// sessionExpired reports an answer that asks for a new session: the
// access token expired, or is no longer valid.
func sessionExpired(e *XRPCError) bool {
	return e != nil && (e.Status == http.StatusBadRequest || e.Status == http.StatusUnauthorized) &&
		(e.Name == errExpiredToken || e.Name == errInvalidToken)
}

// errNotXRPC is wrapped by the error of an answer that is not an XRPC
// server's (httpx.Foreign): a redirect, or a 401, 403, 404 or 405 without the
// XRPC error body {"error":"…"}, which the server answers every refusal
// with. A proxy's page or a Service with a wrong path refuses no
// credentials.
var errNotXRPC = errors.New("not the XRPC server's answer (check Config.Service)")

// classify returns nil for a 2xx response to op and otherwise its error,
// marked for the Broadcaster: an answer that is not the server's (a 2xx
// that httpx.NotJSON finds, or that quotes a credential of rd: see
// echoes, to which own is passed) Permanent, wrapping errNotXRPC; 429 transient
// with broadcast.RetryAfter until RateLimit-Reset (else Retry-After, else
// httpx.RateLimitWait); 5xx but 501, 408 and 425 transient; every other
// status Permanent. rd redacts the text of r the error quotes (see
// xrpcError).
func (c *Channel) classify(op string, r *httpx.Response, rd *redact.Redactor, own ...redact.Secret) error {
	marked := httpx.Classify(r)
	if marked == nil {
		var xe *XRPCError
		switch {
		case httpx.NotJSON(r):
			xe = &XRPCError{Status: r.Status, Message: httpx.BodySnippet(rd, r)}
		case echoes(rd, r.Body, own...):
			// Nothing of it quoted: beside the echo, it may hold the
			// tokens of a session the server made.
			xe = &XRPCError{Status: r.Status, Message: msgEchoed}
		default:
			return nil
		}
		return broadcast.Permanent(fmt.Errorf("bluesky: %s: %w: %w", op, errNotXRPC, xe))
	}
	xe := xrpcError(rd, r)
	why, foreign := httpx.Foreign(r, xe.Name != "")
	switch {
	case foreign:
		xe.Message = cmp.Or(xe.Message, why)
		return broadcast.Permanent(fmt.Errorf("bluesky: %s: %w: %w", op, errNotXRPC, xe))
	case r.Status == http.StatusTooManyRequests:
		return c.rateLimited(op, r.Header, xe, marked, rd)
	case xe.Name == errAuthFactor:
		// createSession's AuthFactorTokenRequired (its lexicon's errors,
		// https://docs.bsky.app/docs/api/com-atproto-server-create-session):
		// the account's password, which an app password never is, is in
		// Config.AppPassword.
		return httpx.CredentialRefused(broadcast.Permanent(fmt.Errorf(
			"bluesky: %s: the account asks for a second factor: use an app password: %w", op, xe)), "Config.AppPassword")
	case op == opLogin && r.Status == http.StatusUnauthorized && xe.Name != errAccountTakedown:
		// createSession's 401 AuthenticationRequired, "Invalid identifier
		// or password" (https://docs.bsky.app/docs/api/com-atproto-server-create-session;
		// https://atproto.com/specs/xrpc#error-responses, 401: the
		// credentials are missing or not valid). Not AccountTakedown,
		// which the same 401 carries for an account suspended.
		return httpx.CredentialRefused(broadcast.Permanent(fmt.Errorf("bluesky: %s: the server refused the credentials: %w", op, xe)),
			"Config.Identifier and Config.AppPassword")
	case r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden || sessionExpired(xe):
		return broadcast.Permanent(fmt.Errorf("bluesky: %s: the server refused the credentials: %w", op, xe))
	}
	return broadcast.MarkAs(fmt.Errorf("bluesky: %s: %w", op, xe), marked)
}

// msgEchoed is the error message of a 2xx answer that echoes.
const msgEchoed = "the answer quotes the credentials of the request (a relay's or a debugging proxy's echo of it)"

// echoes reports whether body, a 2xx answer, quotes a credential rd
// knows: no answer of the server's, which never sends back what it was
// sent, but a relay's or a debugging proxy's echo of the request, none of
// which may reach a session or a Receipt. A JSON string that is exactly
// one of own is the server's: a token it issued, answered again as it is
// (the refresh token of a server that does not rotate it).
func echoes(rd *redact.Redactor, body []byte, own ...redact.Secret) bool {
	text := string(body)
	for _, s := range own {
		if q, err := json.Marshal(s.Reveal()); err == nil && !s.IsZero() {
			text = strings.ReplaceAll(text, string(q), `""`)
		}
	}
	return rd.Holds(text)
}

// rateLimited returns the error of a 429: transient, with a wait until
// RateLimit-Reset (Unix seconds, measured from the answer's Date, not from
// this machine's clock: see httpx.ResetWait), else the Retry-After hint,
// else httpx.RateLimitWait. The policy it names, if any, is the server's
// text, quoted through httpx.RedactedSnippet with rd.
func (c *Channel) rateLimited(op string, h http.Header, xe *XRPCError, marked error, rd *redact.Redactor) error {
	local := c.s.now()
	if d, ok := httpx.ResetWait(h, "RateLimit-Reset", local); ok {
		policy := ""
		if p := cmp.Or(strings.TrimSpace(h.Get("RateLimit-Policy")), strings.TrimSpace(h.Get("RateLimit-Limit"))); p != "" {
			policy = " (policy " + httpx.RedactedSnippet(rd, p) + ")"
		}
		return broadcast.RetryAfter(fmt.Errorf("bluesky: %s: rate limited until %s%s: %w",
			op, local.Add(d).UTC().Format(time.RFC3339), policy, xe), d)
	}
	err := fmt.Errorf("bluesky: %s: rate limited: %w", op, xe)
	return broadcast.MarkAs(err, marked)
}
