//go:build integration

package irc

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// holder connects a client to the server as nick and returns once it is
// registered; closing it quits.
func holder(t *testing.T, addr, nick string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	_, err = fmt.Fprintf(c, "NICK %s\r\nUSER holder 0 * :holder\r\n", nick)
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(30*time.Second)))
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 1 && f[1] == "001" {
			go func() { // answer PINGs, drop the rest, until closed
				_ = c.SetReadDeadline(time.Time{})
				for sc.Scan() {
					if strings.HasPrefix(sc.Text(), "PING ") {
						_, _ = fmt.Fprintf(c, "PONG %s\r\n", strings.TrimPrefix(sc.Text(), "PING "))
					}
				}
			}()
			return c
		}
	}
	t.Fatalf("%s not registered: %v", nick, sc.Err())
	return nil
}

// On ngIRCd (which has no services, so no SASL bot regains a nick there):
// the WHOIS of regain, "WHOIS nick nick", shows the holder's idle time
// (317) and ends (318); a live holder is left alone; a nick freed by the
// time the bot asks is taken at once, though ngIRCd, penalising the burst
// of lines, answers that NICK only seconds later.
func TestIntegrationRegainWhois(t *testing.T) {
	addr := os.Getenv("OUTAGECAST_IRC_ADDR")
	if addr == "" {
		t.Fatal("OUTAGECAST_IRC_ADDR is not set: start the server with eval \"$(scripts/ngircd.sh start)\"")
	}
	nick := fmt.Sprintf("rg%d", time.Now().UnixNano()%1000000)
	h := holder(t, addr, nick)
	defer h.Close()
	s, err := newSettings(Config{Server: addr, TLS: TLSOff, Nick: nick, Channels: []string{"#regain"}})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, runOnce(ctx, s, func(ss *session) error {
		require.Equal(t, nick+"_", ss.c.currentNick(), "registered on the alternate")
		r := &registration{nicks: alternates(nick)}
		ss.reg = r
		defer func() { ss.reg = nil }()

		g := &regaining{nick: nick, idle: -1}
		r.regaining = g
		require.NoError(t, ss.write("WHOIS", nick, nick))
		ok, err := ss.wait(func() bool { return g.whoised }, s.timeout)
		require.NoError(t, err)
		require.True(t, ok, "WHOIS answered")
		assert.False(t, g.free)
		assert.GreaterOrEqual(t, g.idle, 0, "idle shown")
		assert.Less(t, g.idle, 60)
		r.regaining = nil

		require.NoError(t, r.regain(ss))
		assert.Equal(t, nick+"_", ss.c.currentNick(), "a live holder is left alone")

		require.NoError(t, h.Close())
		time.Sleep(time.Second) // the server notices the closed connection
		require.NoError(t, r.regain(ss))
		assert.Equal(t, nick, ss.c.currentNick(), "a nick free by now is taken")
		return nil
	}))
}
