package irc_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
	"github.com/outagecast/outagecast/redact"
)

// plainPort is a server that speaks no TLS and says nothing first, as
// ngIRCd's plain-text port: it reads the TLS ClientHello and, as told by
// hello, closes the connection, resets it, or waits until the client
// closes it. A connection that starts in plain text (the channel's probe)
// gets answer, then is closed; with silent, it gets nothing until the
// client closes it.
type plainPort struct {
	hello  string // "close", "reset" or "wait"
	answer string // to a plain-text line; "" closes at once
	silent bool   // answer nothing to a plain-text line
	probes int    // plain-text connections seen; read after the Channel is done
	wg     sync.WaitGroup
	mu     sync.Mutex
}

func (p *plainPort) start(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				defer c.Close()
				p.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		p.wg.Wait()
	})
	return ln.Addr().String()
}

func (p *plainPort) serve(c net.Conn) {
	r := bufio.NewReader(c)
	first, err := r.Peek(1)
	if err != nil {
		return
	}
	if first[0] == 0x16 { // a TLS handshake record: the ClientHello
		_, _ = r.Peek(5) // its header; the server reads on, in vain, for a line
		switch p.hello {
		case "reset":
			_ = c.(*net.TCPConn).SetLinger(0)
		case "wait":
			_, _ = io.Copy(io.Discard, r)
		}
		return
	}
	p.mu.Lock()
	p.probes++
	p.mu.Unlock()
	if _, err := r.ReadString('\n'); err != nil {
		return
	}
	switch {
	case p.silent:
		_, _ = io.Copy(io.Discard, r)
	case p.answer != "":
		_, _ = io.WriteString(c, p.answer)
	}
}

func tlsConfig(addr string) irc.Config {
	return irc.Config{
		Server: addr, Nick: "statusbot", Channels: []string{"#ops"},
		Password: redact.NewSecret("hunter2-server"),
		Timeout:  time.Second,
	}
}

// A user who sets TLS (ircs://, tls: true) against the plain-text port of
// a server that waits for the client to speak first (ngIRCd) gets no TLS
// record back: the handshake ends with EOF, a reset or its timeout, which
// alone looks like a network failure. The channel then asks the port, in
// plain text, once, and a port that answers as IRC does is a mistake no
// retry fixes: Check and Send fail for good, saying what to change.
func TestTLSToPlainPort(t *testing.T) {
	t.Parallel()
	const ircAnswer = ":irc.example.net CAP * LS :multi-prefix\r\n"
	for _, hello := range []string{"close", "reset", "wait"} {
		t.Run(hello, func(t *testing.T) {
			t.Parallel()
			p := &plainPort{hello: hello, answer: ircAnswer}
			ch, err := irc.New(tlsConfig(p.start(t)))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for name, err := range map[string]error{
				"Check": ch.Check(ctx),
				"Send":  sendOnce(ctx, ch),
			} {
				require.Error(t, err, name)
				assert.True(t, broadcast.IsPermanent(err), "%s: %v", name, err)
				assert.Contains(t, err.Error(), "the port speaks plain IRC, not TLS: use the server's TLS port (often 6697)", name)
				assert.Contains(t, err.Error(), "irc://", name)
				assert.NotContains(t, err.Error(), "hunter2", name)
			}
		})
	}
}

// A port that does not answer the probe as IRC does (silent, closing, an
// HTTP server's answer) keeps the error of the handshake, retried: it may
// be a TLS port of an overloaded or restarting server.
func TestTLSToSilentPortRetried(t *testing.T) {
	t.Parallel()
	tests := map[string]*plainPort{
		"closes":         {hello: "close"},
		"silent":         {hello: "close", silent: true},
		"HTTP":           {hello: "close", answer: "HTTP/1.1 400 Bad Request\r\n\r\n"},
		"bare numeric":   {hello: "close", answer: "500 5.5.2 Error: command not recognized\r\n"},
		"waits, closes":  {hello: "wait"},
		"resets, silent": {hello: "reset", silent: true},
	}
	for name, p := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ch, err := irc.New(tlsConfig(p.start(t)))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			err = ch.Check(ctx)
			require.Error(t, err)
			assert.False(t, broadcast.IsPermanent(err), "%v", err)
			assert.NotContains(t, err.Error(), "plain IRC")
			assert.Contains(t, err.Error(), "irc: connect 127.0.0.1:")
			assert.Contains(t, err.Error(), "TLS: ")
			p.mu.Lock()
			defer p.mu.Unlock()
			assert.Equal(t, 1, p.probes, "the port is asked once, in plain text")
		})
	}
}

func sendOnce(ctx context.Context, ch *irc.Channel) error {
	_, err := ch.Send(ctx, broadcast.NewMessage(sampleUpdate()))
	return err
}

// An attempt with less time left than the handshake's own bound still
// finds the plain-text port: the handshake leaves the probe its time. It
// used to wait out the attempt, and the channel retried a mistake.
func TestTLSToPlainPortShortAttempt(t *testing.T) {
	t.Parallel()
	p := &plainPort{hello: "wait", answer: ":irc.example.net CAP * LS :multi-prefix\r\n"}
	cfg := tlsConfig(p.start(t))
	cfg.Timeout = 0 // the default, longer than the attempt
	ch, err := irc.New(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = ch.Check(ctx)
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	assert.Contains(t, err.Error(), "the port speaks plain IRC, not TLS")
}
