package email

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chunkConn reads what it holds a few bytes at a time, and keeps what is
// written to it.
type chunkConn struct {
	net.Conn
	in    *bytes.Reader
	chunk int
	out   bytes.Buffer
}

func (c *chunkConn) Read(p []byte) (int, error) { return c.in.Read(p[:min(len(p), c.chunk)]) }

func (c *chunkConn) Write(p []byte) (int, error) { return c.out.Write(p) }

// keywordCase upper-cases the keywords of a 250 reply to EHLO, and an
// AUTH line's mechanisms, however the reply's bytes come in; nothing else:
// the greeting, the server's name, another line's parameters, a refusal
// of EHLO, and what follows STARTTLS keep their case.
func TestKeywordCase(t *testing.T) {
	const reply = "250-fake.test greets you\r\n250-starttls\r\n250-auth plain login\r\n250-x-Foo Bar\r\n250 size 100\r\n"
	const want = "250-fake.test greets you\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-X-FOO Bar\r\n250 SIZE 100\r\n"
	for _, chunk := range []int{1, 2, 3, 7, 4096} {
		for _, tc := range []struct {
			name, before, in, want string
			lower                  bool
		}{
			{"greeting", "", "220 fake.test esmtp ready\r\n", "220 fake.test esmtp ready\r\n", false},
			{"EHLO", "ehlo host\r\n", reply, want, true},
			{"EHLO twice", "EHLO host\r\n", reply + reply, want + reply, true}, // the second answers no EHLO
			{"EHLO refused", "EHLO host\r\n", "550-not you\r\n550 go away\r\n", "550-not you\r\n550 go away\r\n", false},
			{"upper case already", "EHLO host\r\n", want, want, false},
			{"after STARTTLS", "STARTTLS\r\n", reply, reply, false},
		} {
			raw := &chunkConn{in: bytes.NewReader([]byte(tc.in)), chunk: chunk}
			k := &keywordCase{Conn: raw}
			if tc.before != "" {
				_, err := k.Write([]byte(tc.before))
				require.NoError(t, err)
			}
			got, err := io.ReadAll(k)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got), "%s, %d bytes at a time", tc.name, chunk)
			assert.Equal(t, tc.lower, k.wroteLower(), "%s, %d bytes at a time", tc.name, chunk)
			assert.Equal(t, tc.before, raw.out.String())
		}
	}
	// After STARTTLS, an EHLO (inside TLS, as go-mail writes it through
	// its own tls.Conn) changes nothing either.
	raw := &chunkConn{in: bytes.NewReader([]byte(reply)), chunk: 5}
	k := &keywordCase{Conn: raw}
	for _, cmd := range []string{"STARTTLS\r\n", "EHLO host\r\n"} {
		_, err := k.Write([]byte(cmd))
		require.NoError(t, err)
	}
	got, err := io.ReadAll(k)
	require.NoError(t, err)
	assert.Equal(t, reply, string(got))
}

// Only the reply to the connection's first command, its EHLO, changes.
// Over TLSPlaintext the connection stays in plain text to its end, and a
// later write that merely began with "EHLO " (a chunk of a message's
// text, as the connection's 4096-byte write buffer passes it on, starting
// with a line "EHLO is ...") had the next 250 reply (to the end of DATA) read
// as an EHLO reply, its lines after the first upper-cased.
func TestKeywordCaseOnlyFirstEHLO(t *testing.T) {
	const reply = "250-fake.test greets you\r\n250-auth plain\r\n250 size 100\r\n"
	const dataReply = "250-2.0.0 ok\r\n250 queued as abc\r\n"
	for _, tc := range []struct {
		name   string
		writes []string
	}{
		{"message text", []string{"EHLO host\r\n", "MAIL FROM:<a@b>\r\n", "EHLO is what a client says first\r\n.\r\n"}},
		{"EHLO again", []string{"EHLO host\r\n", "EHLO host\r\n"}},
		{"after HELO", []string{"HELO host\r\n", "EHLO host\r\n"}},
	} {
		for _, chunk := range []int{1, 5, 4096} {
			raw := &chunkConn{in: bytes.NewReader([]byte(reply + dataReply)), chunk: chunk}
			k := &keywordCase{Conn: raw}
			first := len(reply)
			if tc.writes[0] != "EHLO host\r\n" {
				first = 0
			}
			for i, w := range tc.writes {
				_, err := k.Write([]byte(w))
				require.NoError(t, err)
				if i == 0 && first > 0 {
					got := make([]byte, first)
					_, err := io.ReadFull(k, got)
					require.NoError(t, err)
					assert.Equal(t, "250-fake.test greets you\r\n250-AUTH PLAIN\r\n250 SIZE 100\r\n", string(got))
				}
			}
			rest, err := io.ReadAll(k)
			require.NoError(t, err)
			want := dataReply
			if first == 0 {
				want = reply + dataReply
			}
			assert.Equal(t, want, string(rest), "%s, %d bytes at a time", tc.name, chunk)
		}
	}
}
