package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// tokensEnv names the variable holding the API's bearer tokens.
const tokensEnv = "OUTAGECAST_API_TOKENS"

// minTokenLength is the shortest token accepted: a guessable token is no
// protection.
const minTokenLength = 16

// tokens are the bearer tokens the API accepts, kept only as SHA-256
// digests: comparing digests of equal length takes the same time whatever
// the token presented, and the tokens themselves are not kept in memory.
type tokens struct {
	sums [][sha256.Size]byte
}

// parseTokens reads the tokens of tokensEnv: one or more, separated by
// commas or white space, so that a new token can be added before the old
// one is removed. Errors name a token by its position, never its value.
func parseTokens(v string) (*tokens, error) {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	if len(fields) == 0 {
		return nil, fmt.Errorf("%s: not set: the API needs at least one bearer token "+
			`(make one with: head -c 32 /dev/urandom | base64)`, tokensEnv)
	}
	t := &tokens{}
	for i, f := range fields {
		switch {
		case len(f) < minTokenLength:
			return nil, fmt.Errorf("%s: token %d of %d: shorter than %d characters", tokensEnv, i+1, len(fields), minTokenLength)
		case !isToken68(f):
			return nil, fmt.Errorf("%s: token %d of %d: only letters, digits and -._~+/ (and = at the end) can be sent as a bearer token",
				tokensEnv, i+1, len(fields))
		}
		t.sums = append(t.sums, sha256.Sum256([]byte(f)))
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
// Every token is compared, so the time does not tell which one matched.
func (t *tokens) valid(presented string) bool {
	sum := sha256.Sum256([]byte(presented))
	match := 0
	for _, s := range t.sums {
		match |= subtle.ConstantTimeCompare(sum[:], s[:])
	}
	return match == 1
}

// errNoToken and errBadToken are the two ways a request fails
// authentication.
var (
	errNoToken  = errors.New("missing bearer token: send the header Authorization: Bearer <token>")
	errBadToken = errors.New("invalid bearer token")
)

// check returns nil when r carries one of the tokens.
func (t *tokens) check(r *http.Request) error {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return errNoToken
	}
	if !t.valid(strings.TrimSpace(tok)) {
		return errBadToken
	}
	return nil
}

// require answers 401 with a WWW-Authenticate challenge (RFC 6750) to a
// request without one of the tokens, before next reads anything of it.
func (t *tokens) require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch err := t.check(r); err {
		case nil:
			next.ServeHTTP(w, r)
		case errNoToken:
			w.Header().Set("WWW-Authenticate", `Bearer realm="outagecast"`)
			writeProblem(w, http.StatusUnauthorized, "", err.Error())
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="outagecast", error="invalid_token"`)
			writeProblem(w, http.StatusUnauthorized, "", err.Error())
		}
	})
}
