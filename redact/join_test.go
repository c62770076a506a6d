package redact_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// A redacted join (errors.Join, or any error with Unwrap() []error, also
// wrapped) unwraps to its parts, each redacted: errors.As found none of
// them, as the redacted error was flat, so a caller could not tell which
// field of an update was at fault, or which channel's preview failed,
// once a part's text had a secret redacted. A part whose text holds no
// secret is itself; one whose text does is redacted as Error redacts it.
func TestRedactedJoinUnwrapsToRedactedParts(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	field := &broadcast.FieldError{Field: "Title", Problem: "missing"}
	preview := &broadcast.PreviewError{Channel: "mail", Err: errors.New("template: no such field")}
	echoed := broadcast.RetryAfter(fmt.Errorf("server said %q: %w", pw, context.DeadlineExceeded), 3*time.Second)
	orig := errors.Join(field, echoed,
		fmt.Errorf("preview: %w", errors.Join(preview, errors.New("token "+pw+" refused"))))
	err := r.Error(orig)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), pw)

	fe, ok := errors.AsType[*broadcast.FieldError](err)
	if assert.True(t, ok, "errors.As reaches a part") {
		assert.Same(t, field, fe)
	}
	assert.Equal(t, []*broadcast.FieldError{field}, broadcast.FieldErrors(err))
	pe, ok := errors.AsType[*broadcast.PreviewError](err)
	if assert.True(t, ok, "errors.As reaches a part of a wrapped join inside a part") {
		assert.Same(t, preview, pe)
	}
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, field)
	d, ok := broadcast.RetryDelay(err)
	assert.True(t, ok)
	assert.Equal(t, 3*time.Second, d)

	parts := err
	for {
		if j, ok := parts.(interface{ Unwrap() []error }); ok {
			require.Len(t, j.Unwrap(), 3)
			assert.Same(t, field, j.Unwrap()[0], "a part without a secret is itself")
			assert.Equal(t, r.String(echoed.Error()), j.Unwrap()[1].Error(), "a part with one is redacted")
			break
		}
		parts = errors.Unwrap(parts)
		require.NotNil(t, parts, "the redacted join, under its marks, unwraps to its parts")
	}
	assertNoPartHolds(t, err, pw)

	// Wrapped and marked: the marks stay where they were, and the parts
	// are reached through them.
	orig2 := broadcast.Permanent(fmt.Errorf("send: %w", errors.Join(field, errors.New("bad "+pw))))
	err = r.Error(orig2)
	assert.True(t, broadcast.IsPermanent(err))
	assert.False(t, broadcast.IsUncertain(err))
	fe, ok = errors.AsType[*broadcast.FieldError](err)
	assert.True(t, ok)
	assert.Same(t, field, fe)
	assertNoPartHolds(t, err, pw)
}

// The marks of a redacted join (Permanent, RetryAfter, Uncertain) are
// those broadcast.MarkAs gives it from the original, as before its parts
// were reached: a part's mark does not change what errors.As finds first.
func TestRedactedJoinKeepsTheOriginalsMarks(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(pw))
	secret := errors.New("echo " + pw)
	for name, orig := range map[string]error{
		"a permanent part":      errors.Join(broadcast.Permanent(errors.New("403")), secret),
		"two waits":             errors.Join(broadcast.RetryAfter(secret, time.Second), broadcast.RetryAfter(errors.New("429"), time.Minute)),
		"a wait around a join":  broadcast.RetryAfter(errors.Join(broadcast.RetryAfter(secret, time.Minute), errors.New("x")), time.Second),
		"an uncertain part":     errors.Join(broadcast.Uncertain(broadcast.RetryAfter(errors.New("503"), time.Second)), secret),
		"an unmarked join":      errors.Join(errors.New("x"), secret),
		"a permanent join":      broadcast.Permanent(errors.Join(context.DeadlineExceeded, secret)),
		"an uncertain fmt join": fmt.Errorf("%w; %w", broadcast.Uncertain(secret), errors.New("y")),
	} {
		err := r.Error(orig)
		assert.NotContains(t, err.Error(), pw, name)
		marked := broadcast.MarkAs(errors.New("flat"), orig)
		assert.Equal(t, broadcast.IsPermanent(marked), broadcast.IsPermanent(err), name)
		assert.Equal(t, broadcast.IsUncertain(marked), broadcast.IsUncertain(err), name)
		od, owaits := broadcast.RetryDelay(orig)
		d, waits := broadcast.RetryDelay(err)
		assert.Equal(t, owaits, waits, name)
		assert.Equal(t, od, d, name)
		assertNoPartHolds(t, err, pw)
	}
}

// A secret the parts of a join split between them (a server's answer, one
// error a line, holding base64 wrapped as MIME wraps it; parts whose texts
// are put together as they are) is redacted in the whole's text, and in
// no part's alone: the parts are then not reached, so that none hands out
// its piece of the secret.
func TestRedactedJoinOfASplitSecret(t *testing.T) {
	long := strings.Repeat("k3y-", 20) // 80 bytes: 108 characters of base64
	r := redact.NewRedactor(redact.NewSecret(long), redact.NewSecret(pw))
	b64 := base64.StdEncoding.EncodeToString([]byte(long))
	lines := errors.Join(errors.New(b64[:76]), errors.New(b64[76:]))
	require.Equal(t, b64[:76]+"\n"+b64[76:], lines.Error())

	half := len(pw) / 2
	apart := concatErrors{errors.New("said " + pw[:half]), errors.New(pw[half:] + " twice")}
	require.Equal(t, "said "+pw+" twice", apart.Error())

	for name, tt := range map[string]struct {
		orig   error
		pieces []string
	}{
		"base64 lines": {lines, []string{b64[4:40], b64[80:100]}},
		"put together": {apart, []string{pw[:half], pw[half:]}},
	} {
		err := r.Error(tt.orig)
		assert.Contains(t, err.Error(), redact.Redacted, name)
		for _, piece := range tt.pieces {
			assertNoPartHolds(t, err, piece)
		}
	}
}

// concatErrors are errors whose texts are put together as they are.
type concatErrors []error

func (es concatErrors) Error() string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString(e.Error())
	}
	return b.String()
}

func (es concatErrors) Unwrap() []error { return es }

// assertNoPartHolds asserts that no error in err's tree, as errors.As
// reaches them, prints s, under any verb.
func assertNoPartHolds(t *testing.T, err error, s string) {
	t.Helper()
	walkTree(err, func(e error) {
		for _, verb := range []string{"%v", "%+v", "%#v", "%q"} {
			assert.NotContains(t, fmt.Sprintf(verb, e), s, "%T printed with %s", e, verb)
		}
	})
}

// walkTree calls visit with each error in e's tree, as errors.As walks
// it (Unwrap() error and Unwrap() []error), e first.
func walkTree(e error, visit func(error)) {
	if e == nil {
		return
	}
	visit(e)
	switch u := e.(type) {
	case interface{ Unwrap() error }:
		walkTree(u.Unwrap(), visit)
	case interface{ Unwrap() []error }:
		for _, p := range u.Unwrap() {
			walkTree(p, visit)
		}
	}
}
