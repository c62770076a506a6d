package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/outagecast/outagecast/redact"
)

// Errors of Verifier.Verify.
var (
	// ErrMissingHeaders: the webhook-id, webhook-timestamp or
	// webhook-signature header is absent; the error wrapping it names
	// those absent.
	ErrMissingHeaders = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature header")
	// ErrInvalidID: webhook-id holds a ".", which Standard Webhooks
	// forbids: the signed content, "id.timestamp.body", would read two
	// ways (see Sign).
	ErrInvalidID = errors.New(`webhook: webhook-id holds a ".", which Standard Webhooks forbids: the signed "id.timestamp.body" would read two ways`)
	// ErrTimestamp: webhook-timestamp is not a number or too far from now;
	// the error wrapping it says which way, and by how much, or that it is
	// the time in milliseconds rather than seconds.
	ErrTimestamp = errors.New("webhook: webhook-timestamp outside the tolerance")
	// ErrSignature: no v1 signature matches any of the secrets.
	ErrSignature = errors.New("webhook: no matching signature")
	// ErrNoSecret: the Verifier was not made by NewVerifier, and has no
	// secret to check a signature with: the receiver's fault, not the
	// sender's. The error wraps ErrSignature too.
	ErrNoSecret = errors.New("webhook: the Verifier has no secret (make it with NewVerifier)")
	// ErrBodyTooLarge: the body is over VerifyRequest's limit, as its
	// Content-Length says or as read, or over that of an
	// http.MaxBytesReader around it; the error wrapping it says the limit
	// in bytes and which of the two set it (no Config field does: the
	// limit is the receiver's).
	ErrBodyTooLarge = errors.New("webhook: request body too large")
)

// DefaultTolerance is how far webhook-timestamp may be from the receiver's
// clock, in either direction, by default.
const DefaultTolerance = 5 * time.Minute

// Verifier checks deliveries on the receiving side, as the Standard
// Webhooks specification describes: the signature against one or more
// secrets (several during a rotation), compared in constant time, and the
// timestamp against a tolerance, which bounds replays (its refusal says
// which way the timestamp is off, and by how much). A webhook-id holding
// a "." is refused (ErrInvalidID): the specification forbids it, as the
// signed "id.timestamp.body" would then read two ways. Of the signatures
// in webhook-signature it checks those of scheme v1 (HMAC-SHA256) and
// skips the others, such as v1a (asymmetric): a delivery signed only so is
// refused. A webhook-timestamp with a sign or leading zeros ("+1674087231",
// "01674087231"), which the specification does not forbid, is read two
// ways by its sources: the reference libraries sign the number in its plain
// form, and the manual recipe of the specification's authors signs the
// header's text as sent; a signature of either is taken, and an error of
// neither says that the header is in such a form. Deduplicate on
// webhook-id as well: a retry carries the same id. A Verifier is safe for
// concurrent use. Make one with NewVerifier: a zero Verifier has no secret
// and refuses every delivery.
type Verifier struct {
	// keys return the HMAC keys. They are functions because fmt prints
	// functions as addresses under every verb, even the fields of a value
	// it cannot print (%s of a pointer): no key shows when a Verifier is
	// printed.
	keys      []func() []byte
	tolerance time.Duration
	now       func() time.Time
}

// NewVerifier returns a Verifier accepting signatures made with secret or
// with any of the rotated ones (old and new secrets, during a rotation),
// with DefaultTolerance. Every secret must be a whsec_ secret, with or
// without its prefix (see ParseSecret); errors number them from 1 and
// never quote them.
func NewVerifier(secret redact.Secret, rotated ...redact.Secret) (*Verifier, error) {
	v := &Verifier{tolerance: DefaultTolerance, now: time.Now}
	for i, s := range append([]redact.Secret{secret}, rotated...) {
		key, err := decodeSecret(s)
		if err != nil {
			return nil, fmt.Errorf("webhook: NewVerifier: secret %d: %w", i+1, err)
		}
		v.keys = append(v.keys, func() []byte { return key })
	}
	return v, nil
}

// WithTolerance returns a copy of v that accepts timestamps at most d from
// now. d <= 0 means DefaultTolerance. Of a nil Verifier it returns nil,
// which refuses every delivery.
func (v *Verifier) WithTolerance(d time.Duration) *Verifier {
	if v == nil {
		return nil
	}
	c := *v
	c.tolerance = d
	if d <= 0 {
		c.tolerance = DefaultTolerance
	}
	return &c
}

// Verify checks the webhook-* headers of a delivery against its body, which
// must be the bytes received, unchanged. It returns nil, or an error
// wrapping ErrMissingHeaders, ErrInvalidID, ErrTimestamp or ErrSignature.
func (v *Verifier) Verify(h http.Header, body []byte) error {
	d, err := v.checkHeader(h)
	if err != nil {
		return err
	}
	return v.checkSignature(d, body)
}

// signed is what a delivery's headers say: its id, its timestamp and its
// signatures.
type signed struct {
	id, sigs string
	sec      int64
	// text is webhook-timestamp as sent when it is not sec's plain form
	// (a sign, leading zeros), or "".
	text string
}

// checkHeader checks what Verify can check without the body: the
// Verifier, the presence of the headers and the timestamp.
func (v *Verifier) checkHeader(h http.Header) (signed, error) {
	if v == nil || len(v.keys) == 0 || v.now == nil {
		// Not made by NewVerifier: no secret can match.
		return signed{}, fmt.Errorf("%w: %w", ErrSignature, ErrNoSecret)
	}
	id, ts, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || ts == "" || sigs == "" {
		var absent []string
		for _, f := range [...]struct{ name, v string }{{HeaderID, id}, {HeaderTimestamp, ts}, {HeaderSignature, sigs}} {
			if f.v == "" {
				absent = append(absent, f.name)
			}
		}
		return signed{}, fmt.Errorf("%w: absent: %s", ErrMissingHeaders, strings.Join(absent, ", "))
	}
	if strings.Contains(id, ".") {
		return signed{}, ErrInvalidID
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return signed{}, fmt.Errorf("%w: not a number", ErrTimestamp)
	}
	if err := v.checkTime(sec); err != nil {
		return signed{}, err
	}
	d := signed{id: id, sigs: sigs, sec: sec}
	if ts != strconv.FormatInt(sec, 10) {
		d.text = ts
	}
	return d, nil
}

// checkTime refuses a timestamp, in Unix seconds, more than the tolerance
// from now, saying which way and by how much: the first thing to look at
// is the clock of the side that is off.
func (v *Verifier) checkTime(sec int64) error {
	now := v.now()
	d := now.Sub(time.Unix(sec, 0)) // saturates: never overflows
	switch {
	case d >= -v.tolerance && d <= v.tolerance:
		return nil
	case now.Sub(time.UnixMilli(sec)).Abs() <= v.tolerance:
		// Not a clock off by tens of thousands of years: the sender wrote
		// milliseconds, as JavaScript's Date.now() gives them.
		return fmt.Errorf("%w: %d is the time in milliseconds; Standard Webhooks wants seconds", ErrTimestamp, sec)
	case d > v.tolerance:
		return fmt.Errorf("%w: %s in the past (tolerance %v): the sender's clock is behind, or the delivery was held up or replayed",
			ErrTimestamp, skew(d), v.tolerance)
	default:
		return fmt.Errorf("%w: %s in the future (tolerance %v): the sender's clock is ahead",
			ErrTimestamp, skew(d), v.tolerance)
	}
}

// skew writes how far off a timestamp is, d from now, either way; a d that
// Sub saturated, about 292 years, says "more than" rather than a figure it
// is not.
func skew(d time.Duration) string {
	if d == math.MaxInt64 || d == math.MinInt64 {
		return fmt.Sprintf("more than %v", time.Duration(math.MaxInt64).Truncate(time.Hour))
	}
	return d.Round(time.Second).Abs().String()
}

// checkSignature reports whether one of d's v1 signatures is that of body
// under one of v's keys, the timestamp signed in its plain form or, when
// the header is not in it, as sent.
func (v *Verifier) checkSignature(d signed, body []byte) error {
	for _, key := range v.keys {
		// The base64 text is compared, as the reference libraries do:
		// decoding would take the texts that differ from it only in the
		// unused bits of the last character too.
		wants := [][]byte{base64.StdEncoding.AppendEncode(nil, mac(key(), d.id, d.sec, body))}
		if d.text != "" {
			h := hmac.New(sha256.New, key())
			io.WriteString(h, d.id+"."+d.text+".")
			h.Write(body)
			wants = append(wants, base64.StdEncoding.AppendEncode(nil, h.Sum(nil)))
		}
		for _, sig := range strings.Fields(d.sigs) {
			b64, ok := strings.CutPrefix(sig, "v1,")
			if !ok {
				continue // another scheme, such as v1a
			}
			for _, want := range wants {
				if hmac.Equal([]byte(b64), want) {
					return nil
				}
			}
		}
	}
	if d.text != "" {
		// Not quoted: the text may be long, and says nothing more.
		return fmt.Errorf("%w: %s has a sign or leading zeros; checked both as sent and as %d",
			ErrSignature, HeaderTimestamp, d.sec)
	}
	return ErrSignature
}

// RefusalStatus is the HTTP status a receiver answers a delivery that
// Verify or VerifyRequest refused with err: 401 Unauthorized for one not
// signed by a key of the Verifier, or not lately (the sender gives up: a
// receiver's clock more than its tolerance off refuses every delivery);
// 413 Content Too Large for a body over the limit; 500 Internal Server
// Error when the Verifier has no secret (ErrNoSecret: a secret that did
// not load), which the sender retries until the receiver is fixed; and
// 408 Request Timeout for any other error, a body that did not arrive
// whole, which the sender retries: answering it 401 would lose the
// delivery. It is 200 OK for a nil err.
func RefusalStatus(err error) int {
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrNoSecret):
		return http.StatusInternalServerError
	case errors.Is(err, ErrBodyTooLarge) || errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrMissingHeaders) || errors.Is(err, ErrInvalidID) || errors.Is(err, ErrTimestamp) ||
		errors.Is(err, ErrSignature):
		return http.StatusUnauthorized
	}
	return http.StatusRequestTimeout
}

// VerifyRequest verifies r as Verify does, reading its body, at most limit
// bytes (limit <= 0: 1 MiB), only once its headers pass: a request that is
// not signed, or not lately, is refused without its body read, and so is
// one whose Content-Length is over limit (ErrBodyTooLarge). It returns
// the body, which is safe to decode only when the error is nil.
//
// Answer a refusal with the header "Connection: close": before it sends
// the answer to an HTTP/1.x request whose body the handler left unread,
// net/http reads up to 256 KiB of that body, waiting for it, to keep the
// connection for another request (the rest of one whose Content-Length
// says more is not read: the connection is closed; net/http's server.go,
// maxPostHandlerReadBytes), so that the refusal of a request whose body
// is slow, or never comes, is sent late or not at all. With the header,
// the answer goes at once and the connection closes, the body unread; a
// sender that waits for "100 Continue" is not asked for the body.
func (v *Verifier) VerifyRequest(r *http.Request, limit int64) ([]byte, error) {
	d, err := v.checkHeader(r.Header)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 1 << 20
	}
	tooLarge := fmt.Errorf("%w: more than %d bytes, the limit given to VerifyRequest", ErrBodyTooLarge, limit)
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	if r.Body == nil {
		// A request built without a body (http.NewRequest's nil): an
		// empty one, as net/http sends it.
		return nil, v.checkSignature(d, nil)
	}
	// One byte more than limit tells a body over it; limit+1 would
	// overflow the largest limit into one that reads nothing.
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+min(1, math.MaxInt64-limit)))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		// The receiver's own bound, whose error says no number.
		return nil, fmt.Errorf("%w: more than %d bytes, the limit of http.MaxBytesReader: %w", ErrBodyTooLarge, mbe.Limit, err)
	}
	if err != nil {
		return nil, fmt.Errorf("webhook: read request body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, tooLarge
	}
	return body, v.checkSignature(d, body)
}
