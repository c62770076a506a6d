package httpx_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// A TokenCall hands the function's result to its caller, and its panic
// as a permanent error: raised again, it would end the process from a
// goroutine where nothing recovers it (e-mail's connections').
func TestTokenCallResultAndPanic(t *testing.T) {
	ok := httpx.NewTokenCall(func() (*oauth2.Token, error) { return &oauth2.Token{AccessToken: "t"}, nil })
	tok, err := ok.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "t", tok.AccessToken)

	bad := httpx.NewTokenCall(func() (*oauth2.Token, error) { panic("token source bug") })
	for range 2 { // the panicking call freed the way for the next
		_, err = bad.Token(context.Background())
		require.ErrorContains(t, err, "token source panicked: token source bug")
		assert.True(t, broadcast.IsPermanent(err))
	}

	ended, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ok.Token(ended)
	require.ErrorIs(t, err, context.Canceled)
}
