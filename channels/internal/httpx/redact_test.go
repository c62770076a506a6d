package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://hooks.example/x?token=abc", "https://hooks.example/x?token=REDACTED"},
		{"https://user:pass@hooks.example/hook?token=abc&v=2", "https://REDACTED@hooks.example/hook?token=REDACTED&v=REDACTED"},
		{"https://user@hooks.example/", "https://REDACTED@hooks.example/"},
		{"http://hooks.example:8080/a/b", "http://hooks.example:8080/a/b"},
		{"https://hooks.example/x?flag", "https://hooks.example/x?flag"},
		{"https://hooks.example/x#frag-secret", "https://hooks.example/x"},
		{"https://hooks.example/x?a=1&a=2", "https://hooks.example/x?a=REDACTED&a=REDACTED"},
		{"://not a url", "REDACTED"},
		{"https://u:p@host/%zz", "REDACTED"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, RedactURL(tt.in))
		})
	}
}

func TestRedactString(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		{"url in error text", `Post "https://user:pass@host/hook?token=abc": EOF`, nil,
			`Post "https://REDACTED@host/hook?token=REDACTED": EOF`},
		{"two urls", "a http://x/?k=1 b https://y/?k=2", nil, "a http://x/?k=REDACTED b https://y/?k=REDACTED"},
		{"secret", "bad secret whsec_abc+/= given", []string{"whsec_abc+/="}, "bad secret REDACTED given"},
		{"query-escaped secret", "https://h/x?s=whsec_abc%2B%2F%3D", []string{"whsec_abc+/="}, "https://h/x?s=REDACTED"},
		{"path-escaped secret", "https://h/p/a%20b/x", []string{"a b"}, "https://h/p/REDACTED/x"},
		{"empty secret ignored", "nothing here", []string{""}, "nothing here"},
		{"no url", "plain text", nil, "plain text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, RedactString(tt.in, tt.secrets...))
		})
	}
}

func TestRedactKeepsMarks(t *testing.T) {
	const secret = "s3cr3t-token"
	t.Run("nil", func(t *testing.T) {
		assert.NoError(t, Redact(nil, secret))
	})
	t.Run("unchanged error returned as is", func(t *testing.T) {
		err := errors.New("nothing secret")
		assert.Same(t, err, Redact(err, secret))
	})
	t.Run("permanent", func(t *testing.T) {
		err := Redact(broadcast.Permanent(fmt.Errorf("auth %s failed", secret)), secret)
		assert.Equal(t, "auth REDACTED failed", err.Error())
		assert.True(t, broadcast.IsPermanent(err))
	})
	t.Run("retry after", func(t *testing.T) {
		err := Redact(broadcast.RetryAfter(fmt.Errorf("slow %s", secret), time.Minute), secret)
		assert.NotContains(t, err.Error(), secret)
		d, ok := broadcast.RetryDelay(err)
		assert.True(t, ok)
		assert.Equal(t, time.Minute, d)
		assert.False(t, broadcast.IsPermanent(err))
	})
	t.Run("context errors still match", func(t *testing.T) {
		err := Redact(fmt.Errorf("post https://h/?t=%s: %w", secret, context.DeadlineExceeded), secret)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotContains(t, err.Error(), secret)
	})
	t.Run("status error is a redacted copy", func(t *testing.T) {
		orig := Classify(&Response{Status: 401, Header: http.Header{}, Body: []byte("bad token " + secret)})
		err := Redact(fmt.Errorf("send: %w", orig), secret)
		assert.True(t, broadcast.IsPermanent(err))
		var se *StatusError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 401, se.Status)
		assert.Equal(t, "bad token REDACTED", se.Snippet)
		assert.NotContains(t, err.Error(), secret)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
			assert.NotContains(t, fmt.Sprintf(verb, err), secret, verb)
			assert.NotContains(t, fmt.Sprintf(verb, errors.Unwrap(err)), secret, verb)
		}
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			assert.NotContains(t, e.Error(), secret, "an unwrapped error leaks")
		}
	})
}
