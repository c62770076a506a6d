// Package bearer checks the bearer tokens (RFC 6750) that the example
// programs' HTTP endpoints take, as one mechanism for all of them: tokens
// are read from an environment variable, several at once (so that a new
// one can be added before the old one is removed), kept only as SHA-256
// digests, compared in constant time, and never quoted in an error.
package bearer

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// MinLength is the length of the shortest token accepted: a guessable
// token is no protection.
const MinLength = 16

// Tokens are the bearer tokens an endpoint accepts.
type Tokens struct {
	set Digests
}

// Digests is a set of secrets kept only as SHA-256 digests, for checking
// a presented secret in constant time: the one mechanism for the bearer
// tokens here and for any other secret an endpoint accepts (basic
// authentication's user:password pairs). The zero value is empty.
type Digests struct {
	sums [][sha256.Size]byte
}

// Add adds secret to the set.
func (d *Digests) Add(secret string) { d.sums = append(d.sums, sha256.Sum256([]byte(secret))) }

// Match reports, in constant time, whether presented is one of the set.
// Every secret is compared, so the time does not tell which one matched.
func (d *Digests) Match(presented string) bool {
	sum := sha256.Sum256([]byte(presented))
	match := 0
	for _, s := range d.sums {
		match |= subtle.ConstantTimeCompare(sum[:], s[:])
	}
	return match == 1
}

// Parse reads the tokens of v, the value of the environment variable
// named name: one or more, separated by commas or white space. An empty v
// is an error; errors name the variable, and a token by its position,
// never by its value.
func Parse(name, v string) (*Tokens, error) {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	if len(fields) == 0 {
		return nil, fmt.Errorf("%s: not set: give at least one bearer token "+
			`(make one with: head -c 32 /dev/urandom | base64)`, name)
	}
	t := &Tokens{}
	for i, f := range fields {
		switch {
		case len(f) < MinLength:
			return nil, fmt.Errorf("%s: token %d of %d: shorter than %d characters", name, i+1, len(fields), MinLength)
		case !isToken68(f):
			return nil, fmt.Errorf("%s: token %d of %d: only letters, digits and -._~+/ (and = at the end) can be sent as a bearer token",
				name, i+1, len(fields))
		}
		t.set.Add(f)
	}
	return t, nil
}

// isToken68 reports whether s has the syntax of a bearer token (RFC 6750,
// b64token).
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for _, r := range body {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-._~+/", r))) {
			return false
		}
	}
	return true
}

// valid reports, in constant time, whether presented is one of the tokens.
func (t *Tokens) valid(presented string) bool { return t.set.Match(presented) }

// ErrMissing and ErrInvalid are the two ways a request fails Check.
var (
	ErrMissing = errors.New("missing bearer token: send the header Authorization: Bearer <token>")
	ErrInvalid = errors.New("invalid bearer token")
)

// Check returns nil when r carries one of the tokens in its Authorization
// header, ErrMissing when it carries none, ErrInvalid otherwise.
func (t *Tokens) Check(r *http.Request) error {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ErrMissing
	}
	if !t.valid(strings.TrimSpace(tok)) {
		return ErrInvalid
	}
	return nil
}

// Require serves next the requests that carry one of the tokens, before it
// reads anything of them. It answers the others 401 with the challenge of
// RFC 6750 (realm is the WWW-Authenticate realm) and the body refuse
// writes for the error Check returned.
func (t *Tokens) Require(realm string, next http.Handler, refuse func(w http.ResponseWriter, err error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch err := t.Check(r); err {
		case nil:
			next.ServeHTTP(w, r)
		case ErrMissing:
			w.Header().Set("WWW-Authenticate", fmt.Sprintf("Bearer realm=%q", realm))
			refuse(w, err)
		default:
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q, error="invalid_token"`, realm))
			refuse(w, err)
		}
	})
}
