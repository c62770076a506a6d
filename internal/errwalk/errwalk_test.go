package errwalk_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/outagecast/outagecast/internal/errwalk"
)

// panicky's Is and As methods panic.
type panicky struct{}

func (panicky) Error() string   { return "panicky" }
func (panicky) Is(error) bool   { panic("Is") }
func (panicky) As(any) bool     { panic("As") }
func (panicky) Unwrap() []error { panic("Unwrap") }

// On errors whose methods answer, Is, As and Unwrap answer as the errors
// package does.
func TestAnswersAsTheErrorsPackage(t *testing.T) {
	dns := &net.DNSError{Err: "no such host", Name: "example.com", IsTimeout: true}
	trees := []error{
		nil,
		context.Canceled,
		fmt.Errorf("a: %w", context.DeadlineExceeded),
		errors.Join(errors.New("x"), fmt.Errorf("b: %w", dns)),
		&url.Error{Op: "Get", URL: "https://example.com", Err: dns},
		os.ErrNotExist,
		&os.PathError{Op: "open", Path: "/x", Err: os.ErrNotExist},
	}
	targets := []error{context.Canceled, context.DeadlineExceeded, os.ErrNotExist, dns, nil}
	for _, tree := range trees {
		for _, target := range targets {
			assert.Equal(t, errors.Is(tree, target), errwalk.Is(tree, target), "Is(%v, %v)", tree, target)
		}
		var a, b *net.DNSError
		assert.Equal(t, errors.As(tree, &a), errwalk.As(tree, &b), "As(%v)", tree)
		assert.Same(t, a, b)
		na, aok := errors.AsType[net.Error](tree)
		nb, bok := errwalk.AsType[net.Error](tree)
		assert.Equal(t, aok, bok)
		assert.Equal(t, na, nb)
		assert.Equal(t, errors.Unwrap(tree), errwalk.Unwrap(tree))
	}
}

// A method that panics finds nothing, and the walk goes on beside it.
func TestPanickingMethodsFindNothing(t *testing.T) {
	dns := &net.DNSError{Err: "no such host", IsTimeout: true}
	for _, bad := range []error{(*net.OpError)(nil), &url.Error{Err: (*net.OpError)(nil)}, (*os.SyscallError)(nil), panicky{}} {
		tree := errors.Join(fmt.Errorf("w: %w", bad), context.Canceled, dns)
		assert.True(t, errwalk.Is(tree, context.Canceled), "%#v", bad)
		assert.False(t, errwalk.Is(bad, context.Canceled), "%#v", bad)
		d, ok := errwalk.AsType[*net.DNSError](tree)
		assert.True(t, ok)
		assert.Same(t, dns, d)
		assert.Nil(t, errwalk.Unwrap(bad))
	}
	v, ok := errwalk.Try(func() int { panic("x") })
	assert.False(t, ok)
	assert.Zero(t, v)
	v, ok = errwalk.Try(func() int { return 3 })
	assert.True(t, ok)
	assert.Equal(t, 3, v)
}

// A typed nil is never given by As: the walk goes on past it.
func TestAsSkipsTypedNil(t *testing.T) {
	dns := &net.DNSError{Err: "no such host"}
	tree := errors.Join((*net.DNSError)(nil), fmt.Errorf("w: %w", (*net.OpError)(nil)), dns)
	d, ok := errwalk.AsType[*net.DNSError](tree)
	assert.True(t, ok)
	assert.Same(t, dns, d)
	n, ok := errwalk.AsType[net.Error](tree)
	assert.True(t, ok)
	assert.Equal(t, net.Error(dns), n)
	_, ok = errwalk.AsType[*net.OpError](tree)
	assert.False(t, ok)
}
