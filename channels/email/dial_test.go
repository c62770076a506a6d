package email_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
	"github.com/outagecast/outagecast/redact"
)

const testToken = "ya29.a0-test-token-Qw7"

func TestTransportModes(t *testing.T) {
	tests := []struct {
		name   string
		server serverOptions
		change func(c *email.Config)
	}{
		{"STARTTLS, PLAIN (defaults)", serverOptions{user: testUser, pass: testPass}, func(*email.Config) {}},
		{"implicit TLS", serverOptions{user: testUser, pass: testPass, implicit: true},
			func(c *email.Config) { c.TLS = email.TLSImplicit }},
		{"LOGIN", serverOptions{user: testUser, pass: testPass}, func(c *email.Config) { c.Auth = email.AuthLogin }},
		{"XOAUTH2", serverOptions{user: testUser, token: testToken}, func(c *email.Config) {
			c.Password, c.TokenSource = redact.NewSecret(""), staticToken(testToken)
		}},
		{"plaintext relay without auth", serverOptions{noTLS: true}, func(c *email.Config) {
			c.TLS, c.TLSConfig, c.Username, c.Password = email.TLSPlaintext, nil, "", redact.NewSecret("")
		}},
		{"plaintext PLAIN to loopback", serverOptions{user: testUser, pass: testPass, noTLS: true}, func(c *email.Config) {
			c.TLS, c.TLSConfig = email.TLSPlaintext, nil
		}},
		// New allows credentials in the clear to any loopback host
		// (endpoint.Loopback), so AUTH must go out to each of them; go-mail's
		// PLAIN and LOGIN refuse any name but "localhost", "127.0.0.1" and
		// "::1" unless told the connection's security was chosen already.
		{"plaintext PLAIN to LocalHost", serverOptions{user: testUser, pass: testPass, noTLS: true}, func(c *email.Config) {
			c.Host, c.TLS, c.TLSConfig = "LocalHost", email.TLSPlaintext, nil
		}},
		{"plaintext LOGIN to LocalHost", serverOptions{user: testUser, pass: testPass, noTLS: true}, func(c *email.Config) {
			c.Host, c.TLS, c.TLSConfig, c.Auth = "LocalHost", email.TLSPlaintext, nil, email.AuthLogin
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, tt.server)
			cfg := config(srv, "alice@example.net")
			tt.change(&cfg)
			ch := newChannel(t, cfg)
			require.NoError(t, ch.Check(context.Background()))
			send(t, ch, broadcast.Message{Update: incident(1)})
			assert.Len(t, srv.messages(), 1)
		})
	}
}

// failingTokens is a TokenSource whose refresh is refused.
func failingTokens() (*oauth2.Token, error) {
	return nil, errors.New("oauth2: token refresh refused")
}

func TestTransportFailures(t *testing.T) {
	tests := []struct {
		name      string
		server    serverOptions
		script    func(s *fakeSMTP)
		change    func(c *email.Config)
		permanent bool
		want      string
	}{
		{name: "STARTTLS not offered", server: serverOptions{user: testUser, pass: testPass, noTLS: true},
			permanent: true, want: "the server does not offer STARTTLS, which Config.TLS (TLSStartTLS, the default) requires"},
		{name: "untrusted certificate", server: serverOptions{user: testUser, pass: testPass},
			change: func(c *email.Config) { c.TLSConfig = nil }, permanent: true, want: "certificate"},
		{name: "implicit TLS to a plain server", server: serverOptions{noTLS: true},
			change: func(c *email.Config) { c.TLS = email.TLSImplicit }, permanent: true, want: "tls"},
		{name: "wrong password", server: serverOptions{user: testUser, pass: "other"},
			permanent: true, want: "SMTP AUTH failed: 535"},
		// Transient: refreshed, the TokenSource handed out the same token
		// again (see TestXOAUTH2SameTokenAgainIsTransient).
		{name: "wrong token", server: serverOptions{user: testUser, token: "other"},
			change: func(c *email.Config) { c.Password, c.TokenSource = redact.NewSecret(""), staticToken(testToken) },
			want:   "535"},
		{name: "token refresh fails", server: serverOptions{user: testUser, token: testToken},
			change: func(c *email.Config) { c.Password, c.TokenSource = redact.NewSecret(""), failingTokens },
			want:   "email: get XOAUTH2 token: oauth2: token refresh refused"},
		{name: "AUTH not offered", server: serverOptions{},
			permanent: true, want: "server does not support SMTP AUTH"},
		{name: "service unavailable", server: serverOptions{user: testUser, pass: testPass},
			script: func(s *fakeSMTP) { s.greeting = "421 4.3.2 try again later" }, want: "421"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSMTP(t, tt.server)
			if tt.script != nil {
				srv.script(tt.script)
			}
			cfg := config(srv, "alice@example.net")
			if tt.change != nil {
				tt.change(&cfg)
			}
			// A Channel each: what one attempt saw may decide the next.
			for name, err := range map[string]error{
				"Check": newChannel(t, cfg).Check(context.Background()),
				"Send":  sendErr(newChannel(t, cfg)),
			} {
				require.Error(t, err, name)
				assert.Equal(t, tt.permanent, broadcast.IsPermanent(err), "%s: permanent: %v", name, err)
				assert.Contains(t, err.Error(), tt.want, name)
				assert.NotContains(t, err.Error(), testPass, name)
				assert.NotContains(t, err.Error(), testToken, name)
			}
			assert.Empty(t, srv.messages())
		})
	}
}

func sendErr(ch *email.Channel) error {
	_, err := ch.Send(context.Background(), broadcast.Message{Update: incident(1)})
	return err
}

func TestUnreachableServerIsTransient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	ch := newChannel(t, email.Config{Host: "127.0.0.1", Port: port, TLSConfig: clientTLS(),
		Username: testUser, Password: redact.NewSecret(testPass), From: testFrom, To: []string{"a@example.net"}})
	err = ch.Check(context.Background())
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	err = sendErr(ch)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "email: 1 of 1 target not delivered (1 pending, 0 failed permanently): "+
		"a@example.net: email: connect to 127.0.0.1:")
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "a@example.net", te.Pending[0].Target)
}

func TestCheckSendsNoMail(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	ch := newChannel(t, config(srv, "alice@example.net"))
	require.NoError(t, ch.Check(context.Background()))
	assert.Equal(t, 1, srv.connections())
	assert.Empty(t, srv.messages())
	assert.Zero(t, srv.rcptCount("alice@example.net"))
}

// EHLO names the client by a domain in ASCII or an address literal (RFC
// 5321, 4.1.1.1 and 4.1.3): a HelloName outside ASCII goes out as its
// A-labels, as Host is dialed, since EHLO comes before the server could
// say it takes UTF-8.
func TestHelloName(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"relay.Bücher.example", "relay.xn--bcher-kva.example"},
		{"relay.example.com", "relay.example.com"},
		{"[192.0.2.7]", "[192.0.2.7]"},
		{"[IPv6:2001:db8::7]", "[IPv6:2001:db8::7]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			cfg := config(srv, "alice@example.net")
			cfg.HelloName = c.name
			require.NoError(t, newChannel(t, cfg).Check(context.Background()))
			var ehlo []string
			for _, cmd := range srv.commands() {
				if cmd.verb == "EHLO" {
					ehlo = append(ehlo, cmd.line)
				}
			}
			require.NotEmpty(t, ehlo)
			for _, line := range ehlo {
				assert.Equal(t, "EHLO "+c.want, line)
			}
		})
	}
}

// TestDefaultHelloName: without HelloName, EHLO names the client by a name
// a server's check for a fully qualified name takes (Postfix's
// reject_non_fqdn_helo_hostname refuses "EHLO <container id>"): the local
// host name if it has a dot, else the address literal of the connection's
// local address, as RFC 5321 (4.1.4) asks of a client without a
// meaningful name, and as Python's smtplib does. go-mail's default, the
// bare host name, was refused in containers.
func TestDefaultHelloName(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		t.Run(fmt.Sprintf("implicit TLS %v", implicit), func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, implicit: implicit})
			cfg := config(srv, "alice@example.net")
			if implicit {
				cfg.TLS = email.TLSImplicit
			}
			require.NoError(t, newChannel(t, cfg).Check(context.Background()))
			want := "[127.0.0.1]" // the fake server listens there
			if h, err := os.Hostname(); err == nil && strings.Contains(strings.TrimSuffix(h, "."), ".") {
				want = strings.ToLower(strings.TrimSuffix(h, "."))
			}
			var ehlo []string
			for _, cmd := range srv.commands() {
				if cmd.verb == "EHLO" {
					ehlo = append(ehlo, cmd.line)
				}
			}
			require.NotEmpty(t, ehlo)
			for _, line := range ehlo {
				assert.Equal(t, "EHLO "+want, line)
			}
		})
	}
}

// TestIPv6Host: an IPv6 address in Host, bare or in brackets as a URL
// writes it, is dialed as "[::1]:port"; go-mail's "::1:port" failed at
// every attempt. EHLO then names the connection's IPv6 address (RFC 5321,
// 4.1.3).
func TestIPv6Host(t *testing.T) {
	for _, host := range []string{"::1", "[::1]"} {
		t.Run(host, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, noTLS: true, ipv6: true})
			cfg := config(srv, "alice@example.net")
			cfg.Host, cfg.TLS, cfg.TLSConfig = host, email.TLSPlaintext, nil
			send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1)})
			assert.Len(t, srv.messages(), 1)
			if h, err := os.Hostname(); err == nil && !strings.Contains(h, ".") {
				assert.Equal(t, "EHLO [IPv6:::1]", srv.commands()[0].line)
			}
		})
	}
}

// TestPlainTextToImplicitTLSPort: STARTTLS (the default, and what
// "smtp://host:465" means) or plaintext to a port that speaks TLS from the
// first byte is a mistake of the configuration: the server waits for the
// client's handshake and the client for the greeting. It fails for good,
// saying what to set, rather than time out on every attempt as a server
// that is down would.
func TestPlainTextToImplicitTLSPort(t *testing.T) {
	for _, mode := range []email.TLSMode{email.TLSStartTLS, email.TLSPlaintext} {
		t.Run(mode.String(), func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass, implicit: true})
			cfg := config(srv, "alice@example.net")
			cfg.Timeout = 4 * time.Second
			if mode == email.TLSPlaintext {
				cfg.TLS, cfg.TLSConfig = email.TLSPlaintext, nil
			}
			for name, err := range map[string]error{
				"Check": newChannel(t, cfg).Check(context.Background()),
				"Send":  sendErr(newChannel(t, cfg)),
			} {
				require.Error(t, err, name)
				assert.True(t, broadcast.IsPermanent(err), "%s: permanent: %v", name, err)
				assert.Contains(t, err.Error(), "speaks TLS from the first byte", name)
				assert.Contains(t, err.Error(), "TLSImplicit", name)
				assert.NotContains(t, err.Error(), testPass, name)
			}
			assert.Empty(t, srv.messages())
		})
	}
}

// TestSlowGreeting: a plain-text server that greets late (a greeting
// delay against spammers) is no TLS port: the message goes out on the
// connection that waited for it.
func TestSlowGreeting(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	srv.script(func(s *fakeSMTP) { s.greetWait = 2500 * time.Millisecond })
	cfg := config(srv, "alice@example.net")
	cfg.Timeout = 5 * time.Second
	send(t, newChannel(t, cfg), broadcast.Message{Update: incident(1)})
	require.Len(t, srv.messages(), 1)
}

// TestImplicitTLSToPlainTextPort: the other way round, Config.TLS
// TLSImplicit (an smtps:// URL) to a port that greets in plain text (587,
// a STARTTLS port, or 25) fails for good with an error that names the
// field and what to set it to, not with the bare TLS error ("first
// record does not look like a TLS handshake").
func TestImplicitTLSToPlainTextPort(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	cfg := config(srv, "alice@example.net")
	cfg.TLS = email.TLSImplicit
	for name, err := range map[string]error{
		"Check": newChannel(t, cfg).Check(context.Background()),
		"Send":  sendErr(newChannel(t, cfg)),
	} {
		require.Error(t, err, name)
		assert.True(t, broadcast.IsPermanent(err), "%s: permanent: %v", name, err)
		assert.Contains(t, err.Error(), "speaks plain text from the first byte", name)
		assert.Contains(t, err.Error(), "Config.TLS (TLSImplicit", name)
		assert.Contains(t, err.Error(), "TLSStartTLS", name)
		assert.NotContains(t, err.Error(), testPass, name)
	}
	assert.Empty(t, srv.messages())
}

// A server that refuses the name EHLO (and HELO) gives (Postfix's "Helo
// command rejected", a 501 for a name it finds malformed) fails the
// connection with an error that names the name sent and Config.HelloName,
// the field that sets it: the server's reply alone, "EHLO/HELO exchange
// failed", did not say which setting to change. A 5xx is permanent, a
// 4xx transient, as before.
func TestHelloNameRefused(t *testing.T) {
	for _, c := range []struct {
		name, reply string
		permanent   bool
	}{
		{"relay.example.com", "550 5.7.1 <relay.example.com>: Helo command rejected: Host not found", true},
		{"[192.0.2.7]", "501 5.5.2 Syntax: EHLO hostname", true},
		{"relay.example.com", "450 4.7.1 <relay.example.com>: Helo command rejected: Host not found", false},
		{"", "504 5.5.2 Helo command rejected: need fully-qualified hostname", true},
	} {
		t.Run(c.reply, func(t *testing.T) {
			srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
			srv.script(func(s *fakeSMTP) { s.helloAll = c.reply })
			cfg := config(srv, "alice@example.net")
			cfg.HelloName = c.name
			err := newChannel(t, cfg).Check(context.Background())
			require.Error(t, err)
			assert.Equal(t, c.permanent, broadcast.IsPermanent(err), err.Error())
			assert.Contains(t, err.Error(), "Config.HelloName")
			sent := strings.TrimPrefix(srv.commands()[0].line, "EHLO ")
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", sent), "the name sent")
			assert.NotContains(t, err.Error(), testPass)
		})
	}
}

// A 421 to EHLO is the server closing, not a refusal of the name: its
// error does not blame Config.HelloName, and stays transient.
func TestHelloAnswered421(t *testing.T) {
	srv := startSMTP(t, serverOptions{user: testUser, pass: testPass})
	srv.script(func(s *fakeSMTP) { s.helloAll = "421 4.3.2 Service shutting down" })
	cfg := config(srv, "alice@example.net")
	cfg.HelloName = "relay.example.com"
	err := newChannel(t, cfg).Check(context.Background())
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), err.Error())
	assert.NotContains(t, err.Error(), "Config.HelloName")
}

// Config.Timeout bounds connecting, the greeting, EHLO, STARTTLS and AUTH
// together: go-mail gave the greeting a timeout of its own, then EHLO
// and AUTH a new one, so a server slow to greet after the TLS handshake
// (TLSImplicit) or slow with the last line of its greeting, and then
// slow to answer EHLO, took up to twice Config.Timeout to connect, and a
// Broadcaster's attempt with it.
func TestTimeoutBoundsTheWholeConnect(t *testing.T) {
	const timeout = 1500 * time.Millisecond
	slow := time.Second // each step within Timeout, the two together past it
	for name, c := range map[string]struct {
		opts   serverOptions
		script func(*fakeSMTP)
		tls    email.TLSMode
	}{
		"implicit TLS, greeting late": {serverOptions{user: testUser, pass: testPass, implicit: true},
			func(s *fakeSMTP) { s.greetWait, s.helloWait = slow, slow }, email.TLSImplicit},
		"STARTTLS, greeting's last line late": {serverOptions{user: testUser, pass: testPass},
			// EHLO twice, before and after STARTTLS.
			func(s *fakeSMTP) { s.greetRest, s.helloWait = slow, 600*time.Millisecond }, email.TLSStartTLS},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startSMTP(t, c.opts)
			srv.script(c.script)
			cfg := config(srv, "alice@example.net")
			cfg.TLS, cfg.Timeout = c.tls, timeout
			err := newChannel(t, cfg).Check(context.Background())
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), err.Error())
			assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
			assert.Contains(t, err.Error(), "Config.Timeout (1.5s)")
			assert.NotContains(t, err.Error(), testPass)
		})
	}
}
