package bearer

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Two tokens, as during a rotation.
const (
	oldToken = "old-token-0123456789abcdef"
	newToken = "new-token-fedcba9876543210"
)

func TestParse(t *testing.T) {
	for _, v := range []string{oldToken, oldToken + "," + newToken, " " + oldToken + " \n" + newToken + ", ", "YWJjZGVmZ2hpamtsbW5vcA=="} {
		_, err := Parse("DEMO_TOKENS", v)
		assert.NoError(t, err, v)
	}
	tests := []struct{ value, msg string }{
		{"", "DEMO_TOKENS: not set"},
		{" , ", "DEMO_TOKENS: not set"},
		{oldToken + ",short", "DEMO_TOKENS: token 2 of 2: shorter than 16 characters"},
		{"tok\"en-0123456789abcdef", "DEMO_TOKENS: token 1 of 1: only letters, digits"},
		{"tökenä-0123456789abcdef", "token 1 of 1: only letters, digits"},
		{"=================", "token 1 of 1: only letters, digits"},
	}
	for _, tt := range tests {
		_, err := Parse("DEMO_TOKENS", tt.value)
		require.Error(t, err, tt.value)
		assert.Contains(t, err.Error(), tt.msg)
		if tt.value != "" {
			assert.NotContains(t, err.Error(), tt.value, "no token in an error")
		}
	}
}

func TestRequire(t *testing.T) {
	toks, err := Parse("DEMO_TOKENS", oldToken+" "+newToken)
	require.NoError(t, err)
	h := toks.Require("demo", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }),
		func(w http.ResponseWriter, err error) { http.Error(w, err.Error(), http.StatusUnauthorized) })
	tests := []struct {
		name, header string
		status       int
		challenge    string
	}{
		{"old token", "Bearer " + oldToken, http.StatusNoContent, ""},
		{"new token", "Bearer " + newToken, http.StatusNoContent, ""},
		{"scheme in any case", "bearer " + newToken, http.StatusNoContent, ""},
		{"spaces around", "  Bearer   " + newToken + " ", http.StatusNoContent, ""},
		{"no header", "", http.StatusUnauthorized, `Bearer realm="demo"`},
		{"no token", "Bearer", http.StatusUnauthorized, `Bearer realm="demo"`},
		{"basic", "Basic " + oldToken, http.StatusUnauthorized, `Bearer realm="demo"`},
		{"wrong token", "Bearer wrong-token-0123456789", http.StatusUnauthorized, `Bearer realm="demo", error="invalid_token"`},
		{"empty token", "Bearer  ", http.StatusUnauthorized, `Bearer realm="demo"`},
		{"a prefix of a token", "Bearer " + oldToken[:20], http.StatusUnauthorized, `Bearer realm="demo", error="invalid_token"`},
		{"two tokens", "Bearer " + oldToken + " " + newToken, http.StatusUnauthorized, `Bearer realm="demo", error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.challenge, rec.Header().Get("WWW-Authenticate"))
			assert.NotContains(t, rec.Body.String(), oldToken)
			assert.NotContains(t, rec.Body.String(), newToken)
		})
	}
}

// Digests matches any secret added, and nothing else; the zero value
// matches nothing, not even the empty string.
func TestDigests(t *testing.T) {
	var d Digests
	if d.Match("") {
		t.Fatal("the empty set matched")
	}
	d.Add("ops:correct-horse-battery")
	d.Add("ops:new-staple-rotation-2026")
	for _, s := range []string{"ops:correct-horse-battery", "ops:new-staple-rotation-2026"} {
		if !d.Match(s) {
			t.Errorf("%q did not match", s)
		}
	}
	for _, s := range []string{"", "ops:correct-horse-batter", "OPS:correct-horse-battery"} {
		if d.Match(s) {
			t.Errorf("%q matched", s)
		}
	}
}
