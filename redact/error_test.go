package redact_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// apiError has the shape of a channel's typed error: its fields are clean
// when the channel made it, and a caller reads them after errors.As.
type apiError struct {
	Status  int
	Message string
	err     error
}

func (e *apiError) Error() string { return fmt.Sprintf("api %d: %s", e.Status, e.Message) }
func (e *apiError) Unwrap() error { return e.err }

const token = "tok-9f8e7d6c5b4a"

// echoes are token in encodings a Redactor knows a server to echo it in.
func echoes(s string) []string {
	return []string{s, base64.StdEncoding.EncodeToString([]byte(s)), url.QueryEscape(s + " /"), strconv.Quote(s)[1 : len(s)+1]}
}

// leaks reports every form of token in text.
func leaks(text string) []string {
	var out []string
	for _, f := range echoes(token) {
		if strings.Contains(text, f) {
			out = append(out, f)
		}
	}
	return out
}

// An error whose text holds a secret elsewhere (a URL with a token, in a
// message around it) still gives the errors it wraps that print none to
// errors.As: a channel's typed error, as it made it, and its retry
// decision. Before, the redacted error wrapped nothing.
func TestRedactorErrorKeepsCleanParts(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(token))
	for i, echo := range echoes(token) {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			typed := &apiError{Status: 429, Message: "slow down", err: context.DeadlineExceeded}
			err := r.Error(fmt.Errorf("post https://chat.example/hooks/%s: %w", echo, broadcast.RetryAfter(typed, 7*time.Second)))
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				assert.Empty(t, leaks(fmt.Sprintf(verb, err)), verb)
			}
			var got *apiError
			require.ErrorAs(t, err, &got)
			assert.Same(t, typed, got, "the channel's error, as it made it")
			d, ok := broadcast.RetryDelay(err)
			assert.True(t, ok)
			assert.Equal(t, 7*time.Second, d)
			assert.False(t, broadcast.IsPermanent(err))
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			for e := err; e != nil; e = errors.Unwrap(e) {
				assert.Empty(t, leaks(fmt.Sprintf("%v %#v", e, e)), "no error of the chain prints the secret")
			}
		})
	}
}

// An error that prints a secret itself is never given out: errors.As
// reports false for it, and leaves its target alone, rather than hand a
// caller the secret in a field; errors.Is still matches it.
func TestRedactorErrorHidesWhatPrintsASecret(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(token))
	for i, echo := range echoes(token) {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			typed := &apiError{Status: 401, Message: "bad token " + echo, err: context.Canceled}
			err := r.Error(broadcast.Permanent(fmt.Errorf("post: %w", typed)))
			assert.Empty(t, leaks(fmt.Sprintf("%v %#v", err, err)))
			var got *apiError
			assert.False(t, errors.As(err, &got))
			assert.Nil(t, got, "the target is left alone")
			assert.True(t, broadcast.IsPermanent(err))
			assert.ErrorIs(t, err, context.Canceled)
			assert.Contains(t, typed.Message, echo, "the original is not changed")
		})
	}
}

// A join keeps its parts: code that walks the tree by hand (the
// Broadcaster judges a join part by part) sees each part, redacted, with
// its own retry decision.
func TestRedactorErrorKeepsTree(t *testing.T) {
	r := redact.NewRedactor(redact.NewSecret(token))
	edit := broadcast.Permanent(fmt.Errorf("edit: %w", broadcast.ErrPostGone))
	post := broadcast.RetryAfter(errors.New("post: server said "+token), time.Second)
	err := r.Error(fmt.Errorf("correct: %w", errors.Join(edit, post)))
	assert.Empty(t, leaks(err.Error()))
	single, ok := err.(interface{ Unwrap() error })
	require.True(t, ok, "a wrapping error still unwraps")
	joined, ok := single.Unwrap().(interface{ Unwrap() []error })
	require.True(t, ok, "a join still has its parts")
	parts := joined.Unwrap()
	require.Len(t, parts, 2)
	assert.Same(t, edit, parts[0], "a part that prints no secret is itself")
	assert.True(t, broadcast.IsPermanent(parts[0]))
	d, ok := broadcast.RetryDelay(parts[1])
	assert.True(t, ok)
	assert.Equal(t, time.Second, d)
	assert.False(t, broadcast.IsPermanent(parts[1]))
	assert.Empty(t, leaks(fmt.Sprintf("%v %#v", parts[1], parts[1])))
	assert.Empty(t, leaks(fmt.Sprintf("%v %#v", errors.Unwrap(parts[1]), errors.Unwrap(parts[1]))))
}
