package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// The refusal's error keeps Discord's "errors" as it came, as bytes
// (apiError.Errors), which its text does not print: %#v prints them as
// hex bytes, %d as decimal ones, json.Marshal as they are, none of which
// a redaction of the error's text sees. It is the one error type of the
// library with a field of bytes, and it holds no secret: the body of a
// refusal is redacted before it is parsed (httpx), so that an "errors"
// that echoes the request's URL under a key of Discord's field errors
// never use, which the text leaves out, holds the token redacted. This
// pins it.
func TestRefusalRawErrorsHoldNoSecret(t *testing.T) {
	f := newFake(t, fakeOptions{})
	ch := newChannel(t, f, nil)
	f.answer(canned{status: 400, body: `{"message": "Invalid Form Body", "code": 50035, "errors": {"url": "/api/webhooks/` +
		testID + `/` + testToken + `"}}`})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(fullUpdate))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Invalid Form Body")

	dec := strings.Trim(fmt.Sprint([]byte(testToken)), "[]")
	hex := strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%#v", []byte(testToken)), "[]byte{"), "}")
	var walk func(e error)
	walk = func(e error) {
		if e == nil {
			return
		}
		shown := []string{}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x"} {
			shown = append(shown, fmt.Sprintf(verb, e))
		}
		if b, err := json.Marshal(e); err == nil {
			shown = append(shown, string(b))
		}
		for _, s := range shown {
			for _, secret := range []string{testToken, dec, hex} {
				assert.NotContains(t, s, secret, "%T", e)
			}
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, p := range u.Unwrap() {
				walk(p)
			}
		}
	}
	walk(err)
	_, ok := errors.AsType[*apiError](err)
	assert.True(t, ok, "the refusal, with no secret in its text, is itself")
}
