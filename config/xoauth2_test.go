package config_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// authSMTP is an SMTP server on 127.0.0.1 that offers only AUTH XOAUTH2,
// accepts the bearer token it was given, records every AUTH line and
// takes any message.
type authSMTP struct {
	ln    net.Listener
	token string
	wg    sync.WaitGroup
	mu    sync.Mutex
	auths []string // the AUTH lines, as received
}

func startAuthSMTP(t *testing.T, token string) *authSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &authSMTP{ln: ln, token: token}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

func (s *authSMTP) port() string { return strings.TrimPrefix(s.ln.Addr().String(), "127.0.0.1:") }

func (s *authSMTP) authLines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auths...)
}

func (s *authSMTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	reply := func(l string) bool { _, err := c.Write([]byte(l + "\r\n")); return err == nil }
	reply("220 localhost ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			reply("250-localhost\r\n250-AUTH XOAUTH2\r\n250 8BITMIME")
		case "AUTH":
			s.mu.Lock()
			s.auths = append(s.auths, line)
			s.mu.Unlock()
			want := base64.StdEncoding.EncodeToString([]byte("user=status-bot\x01auth=Bearer " + s.token + "\x01\x01"))
			if arg == "XOAUTH2 "+want {
				reply("235 2.7.0 accepted")
			} else { // echoes what it got, as some servers do
				raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(arg, "XOAUTH2 "))
				reply("535 5.7.8 refused " + arg + " " + strings.ReplaceAll(string(raw), "\x01", " "))
			}
		case "DATA":
			reply("354 go on")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
			}
			reply("250 2.0.0 queued")
		case "QUIT":
			reply("221 bye")
			return
		default: // MAIL, RCPT, RSET, NOOP
			reply("250 ok")
		}
	}
}

// emailXOAUTH2 is a file of one email channel that authenticates with
// XOAUTH2 to srv, its token from SMTP_OAUTH2_TOKEN.
func emailXOAUTH2(srv *authSMTP) string {
	return lines(
		"channels:",
		"  - kind: email",
		"    host: 127.0.0.1",
		"    port: "+srv.port(),
		"    tls: plaintext",
		"    from: status@example.com",
		"    to: [oncall@example.com]",
		"    auth: xoauth2",
		"    username: status-bot",
		"    oauth2_access_token: ${SMTP_OAUTH2_TOKEN}",
	)
}

// A file's oauth2_access_token, from the environment, is the bearer
// token of AUTH XOAUTH2.
func TestEmailXOAUTH2FromFile(t *testing.T) {
	const token = "ya29.oauth2-token-8c1f2e"
	srv := startAuthSMTP(t, token)
	cfg, _, err := parse(t, emailXOAUTH2(srv), map[string]string{"SMTP_OAUTH2_TOKEN": token})
	require.NoError(t, err)
	channeltest.AssertNoSecret(t, cfg.Describe("email"), token)
	b, err := cfg.Open(cfg.Options())
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Close()) }()
	rep, err := b.Send(context.Background(), broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating})
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	require.NoError(t, rep.Results[0].Err)
	auths := srv.authLines()
	require.NotEmpty(t, auths)
	assert.Equal(t, "AUTH XOAUTH2 "+base64.StdEncoding.EncodeToString([]byte("user=status-bot\x01auth=Bearer "+token+"\x01\x01")), auths[0])
}

// A token the server refuses, and echoes, is in no delivery error.
func TestEmailXOAUTH2Refused(t *testing.T) {
	const token = "ya29.expired-token-31337"
	srv := startAuthSMTP(t, "ya29.the-current-token")
	cfg, _, err := parse(t, emailXOAUTH2(srv), map[string]string{"SMTP_OAUTH2_TOKEN": token})
	require.NoError(t, err)
	b, err := cfg.Open(cfg.Options())
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Close()) }()
	rep, _ := b.Send(context.Background(), broadcast.Update{Title: "CDN errors", Status: broadcast.StatusInvestigating})
	require.Len(t, rep.Results, 1)
	require.Error(t, rep.Results[0].Err)
	require.NotEmpty(t, srv.authLines(), "the server got the AUTH line")
	assert.Contains(t, rep.Results[0].Err.Error(), "535")
	channeltest.AssertNoSecret(t, rep.Results[0].Err.Error(), token)
	channeltest.AssertNoSecret(t, cfg.Hide(rep.Results[0].Err.Error()), token)
}

// auth: xoauth2 without oauth2_access_token, or with it where another
// setting is wrong, is an error naming the file's keys, never the token.
func TestEmailXOAUTH2Errors(t *testing.T) {
	const token = "ya29.oauth2-token-8c1f2e"
	mail := []string{"channels:", "  - kind: email", "    host: smtp.example.com", "    from: status@example.com", "    to: [a@example.com]"}
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"no token", []string{"auth: xoauth2", "username: status-bot"},
			"test.yaml:6: channels[0] (email \"email\"): auth: XOAUTH2 needs username and oauth2_access_token"},
		{"no username", []string{"auth: xoauth2", "oauth2_access_token: ${T}"},
			"test.yaml:6: channels[0] (email \"email\"): auth: XOAUTH2 needs username and oauth2_access_token"},
		{"token with auth none", []string{"auth: none", "username: status-bot", "oauth2_access_token: ${T}"},
			"test.yaml:8: channels[0] (email \"email\"): oauth2_access_token: set, but auth is NONE"},
		{"token and password", []string{"username: status-bot", "password: pw", "oauth2_access_token: ${T}"},
			"test.yaml:7: channels[0] (email \"email\"): password: set together with oauth2_access_token; use one"},
		{"token in the clear", []string{"tls: plaintext", "username: status-bot", "oauth2_access_token: ${T}"},
			"test.yaml:6: channels[0] (email \"email\"): tls: plaintext would send credentials in the clear"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, lines(append(mail, prefixed("    ", tt.lines)...)...), map[string]string{"T": token})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			channeltest.AssertNoSecret(t, err.Error(), token)
		})
	}
}

func prefixed(p string, l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = p + s
	}
	return out
}
