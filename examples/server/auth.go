package main

import (
	"net/http"

	"github.com/outagecast/outagecast/internal/bearer"
)

// tokensEnv names the variable holding the API's bearer tokens.
const tokensEnv = "OUTAGECAST_API_TOKENS"

// tokens are the bearer tokens the API accepts.
type tokens = bearer.Tokens

// parseTokens reads the tokens of tokensEnv (see bearer.Parse).
func parseTokens(v string) (*tokens, error) { return bearer.Parse(tokensEnv, v) }

// requireToken answers 401, with a WWW-Authenticate challenge (RFC 6750)
// and a problem document, to a request without one of t, before next
// reads anything of it.
func requireToken(t *tokens, next http.Handler) http.Handler {
	return t.Require("outagecast", next, func(w http.ResponseWriter, err error) {
		writeProblem(w, http.StatusUnauthorized, "", err.Error())
	})
}
