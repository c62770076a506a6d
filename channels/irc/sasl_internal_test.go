package irc

import (
	"encoding/base64"
	"testing"

	"github.com/ergochat/irc-go/ircutils"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// A SASL PLAIN payload longer than 300 bytes goes out in AUTHENTICATE
// lines of 400 base64 characters (IRCv3 SASL 3.1), each of which encodes a
// piece of the password, not the whole: a server that echoes one piece in
// its 904 or ERROR (as it echoes the one line it failed on) must not get
// that piece into an error, whichever piece it is and wherever the
// password starts and ends in it.
func TestServerTextRedactsEachSASLPiece(t *testing.T) {
	for _, user := range []string{"bot", "status-bot"} {
		for _, n := range []int{200, 295, 300, 301, 450, 700, 1000} {
			password := longPassword(n)
			s, err := newSettings(Config{Server: "127.0.0.1:6667", TLS: TLSOff, Nick: "bot",
				Channels: []string{"#ops"}, SASLUser: user, SASLPassword: redact.NewSecret(password)})
			require.NoError(t, err)
			raw := user + "\x00" + user + "\x00" + password
			from := len(raw) - len(password) // where the password starts in raw
			for i, piece := range ircutils.EncodeSASLResponse([]byte(raw)) {
				if piece == "+" {
					continue
				}
				start := i * 300 // the raw bytes before this piece: 400 characters encode 300
				decoded, err := base64.StdEncoding.DecodeString(piece)
				require.NoError(t, err)
				lo, hi := max(from, start)-start, min(len(raw), start+len(decoded))-start
				if lo >= hi {
					continue // no byte of the password in it
				}
				// The characters that encode the password's bytes alone.
				secret := piece[(8*lo+5)/6 : 8*hi/6]
				for _, text := range []string{
					"SASL authentication failed (you sent AUTHENTICATE " + piece + ")",
					"Closing Link: bad AUTHENTICATE " + piece,
				} {
					got := s.serverText(text)
					for j := 0; j+8 <= len(secret); j++ {
						if !assert.NotContains(t, got, secret[j:j+8], "user %q, password of %d bytes, piece %d", user, n, i) {
							break
						}
					}
				}
			}
		}
	}
}

// longPassword returns n characters that repeat no run of 8.
func longPassword(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!"
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = chars[x%uint32(len(chars))]
	}
	return string(b)
}
