package httpx_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// A TokenCall hands the function's result to its caller, and raises its
// panic again in the caller, where the Broadcaster turns a channel's
// panic into an error, not in a goroutine of its own that would end the
// process.
func TestTokenCallResultAndPanic(t *testing.T) {
	ok := httpx.NewTokenCall(func() (*oauth2.Token, error) { return &oauth2.Token{AccessToken: "t"}, nil })
	tok, err := ok.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "t", tok.AccessToken)

	bad := httpx.NewTokenCall(func() (*oauth2.Token, error) { panic("token source bug") })
	assert.PanicsWithValue(t, "token source bug", func() { _, _ = bad.Token(context.Background()) })
	assert.PanicsWithValue(t, "token source bug", func() { _, _ = bad.Token(context.Background()) },
		"the panicking call freed the way for the next")

	ended, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ok.Token(ended)
	require.ErrorIs(t, err, context.Canceled)
}
