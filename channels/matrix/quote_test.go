package matrix

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/redact"
)

// A room entry that is the access token (pasted in the wrong field), or
// has a token's shape, is not quoted in New's error; another bad entry
// still is, so the user sees which.
func TestBadRoomIsQuotedUnlessASecret(t *testing.T) {
	for _, room := range []string{confToken, "syt_YWxpY2U_HaSHofTheT0kenabcdef_0RmK2c"} {
		_, err := New(Config{Homeserver: "https://matrix.example.org", AccessToken: redact.NewSecret(confToken), Rooms: []string{room}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "matrix: Config.Rooms[0]: ")
		assert.Contains(t, err.Error(), "not quoted")
		channeltest.AssertNoSecret(t, err.Error(), confToken, room)
	}
	_, err := New(Config{Homeserver: "https://matrix.example.org", AccessToken: redact.NewSecret(confToken), Rooms: []string{"ops"}})
	require.EqualError(t, err, `matrix: Config.Rooms[0]: "ops" is not a room ID ("!abc:example.org") or alias ("#ops:example.org")`)
}

// A URL whose query holds the token as a parameter of its own (the "="
// and the name before it forgotten) does not quote it.
func TestURLUnknownParameterWithTheToken(t *testing.T) {
	const tok = "syt_YWxpY2U_HaSHofTheT0kenabcdef_0RmK2c"
	_, err := ParseURL("matrix://:" + tok + "@matrix.example.org/?rooms=!a:example.org&" + tok)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "matrix: URL: query: unknown parameter ")
	channeltest.AssertNoSecret(t, err.Error(), tok)
	_, err = ParseURL("matrix://:" + tok + "@matrix.example.org/?rooms=!a:example.org&romos=x")
	require.EqualError(t, err, `matrix: URL: query: unknown parameter "romos" (want rooms, name or notice)`)
}
