package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two tokens, as during a rotation.
const (
	oldToken = "old-token-0123456789abcdef"
	newToken = "new-token-fedcba9876543210"
)

// The server's tokens come from OUTAGECAST_API_TOKENS, which its errors
// name (the rules are internal/bearer's).
func TestParseTokens(t *testing.T) {
	_, err := parseTokens(oldToken + "," + newToken)
	require.NoError(t, err)
	_, err = parseTokens("")
	assert.ErrorContains(t, err, "OUTAGECAST_API_TOKENS: not set")
	_, err = parseTokens(oldToken + ",short")
	assert.EqualError(t, err, "OUTAGECAST_API_TOKENS: token 2 of 2: shorter than 16 characters")
}

// The API takes the tokens of OUTAGECAST_API_TOKENS and refuses others
// with a problem document (the rules are internal/bearer's, tested there).
func TestRequireBearerToken(t *testing.T) {
	toks, err := parseTokens(oldToken + " " + newToken)
	require.NoError(t, err)
	h := requireToken(toks, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	tests := []struct {
		name, header string
		status       int
		challenge    string
	}{
		{"old token", "Bearer " + oldToken, http.StatusNoContent, ""},
		{"new token", "Bearer " + newToken, http.StatusNoContent, ""},
		{"no header", "", http.StatusUnauthorized, `Bearer realm="outagecast"`},
		{"wrong token", "Bearer wrong-token-0123456789", http.StatusUnauthorized, `Bearer realm="outagecast", error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/v1/updates/x", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.challenge, rec.Header().Get("WWW-Authenticate"))
			if tt.status == http.StatusUnauthorized {
				assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
				assert.NotContains(t, rec.Body.String(), oldToken)
				assert.NotContains(t, rec.Body.String(), newToken)
			}
		})
	}
}
