package irc_test

import (
	"bufio"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/irc"
)

// silentServer accepts connections and reads them, answering nothing, as
// a server that hangs does. heard is closed at the first line it reads.
func silentServer(t *testing.T) (addr string, heard <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	got := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := bufio.NewReader(conn)
				for {
					if _, err := r.ReadString('\n'); err != nil {
						return
					}
					once.Do(func() { close(got) })
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String(), got
}

// sendInBackground starts a Send of a sample update on ch and returns where
// its error will come.
func sendInBackground(ch *irc.Channel) <-chan error {
	sent := make(chan error, 1)
	go func() {
		_, err := ch.Send(context.Background(), message(sampleUpdate()))
		sent <- err
	}()
	return sent
}

// Close ends a Send stuck on a server that never answers, whose waits
// (Config.Timeout each, an hour here) only the caller's ctx would end,
// and returns once it has: on a persistent Channel, it used to wait for
// the Send's turn without bound. The Send fails with ErrClosed, and so
// does a later one; TestMain's goleak check proves no goroutine outlives
// Close.
func TestCloseEndsStuckSend(t *testing.T) {
	for _, persistent := range []bool{true, false} {
		t.Run(map[bool]string{true: "persistent", false: "per Send"}[persistent], func(t *testing.T) {
			addr, heard := silentServer(t)
			cfg := testConfig(addr)
			cfg.Timeout, cfg.Persistent = time.Hour, persistent
			ch, err := irc.New(cfg)
			require.NoError(t, err)
			sent := sendInBackground(ch)
			<-heard // the Send is registering, waiting for an answer

			closed := make(chan error, 1)
			go func() { closed <- ch.Close() }()
			select {
			case err := <-closed:
				require.NoError(t, err)
			case <-time.After(time.Minute): // a watchdog, not a timing assertion: the Send waits an hour
				t.Fatal("Close hangs behind a stuck Send")
			}
			select {
			case err := <-sent:
				require.ErrorIs(t, err, irc.ErrClosed)
				assert.True(t, broadcast.IsPermanent(err))
			case <-time.After(time.Minute):
				t.Fatal("Close left the Send running")
			}
			_, err = ch.Send(context.Background(), message(sampleUpdate()))
			require.ErrorIs(t, err, irc.ErrClosed)
			require.ErrorIs(t, ch.Check(context.Background()), irc.ErrClosed)
			require.NoError(t, ch.Close(), "Close twice")
		})
	}
}

// A Send that Close cuts after it wrote lines to a channel may have
// posted them (the server relayed them here, its PONG never came): its
// error, Permanent for the closed Channel, is Uncertain too, since a
// Permanent error alone says the platform posted nothing (see
// broadcast.Channel). One cut before any line, while registering, posted
// nothing and is not Uncertain.
func TestCloseCutSendThatPostedIsUncertain(t *testing.T) {
	for _, persistent := range []bool{true, false} {
		t.Run(map[bool]string{true: "persistent", false: "per Send"}[persistent], func(t *testing.T) {
			srv := newFakeServer(t, fakeOptions{noPong: true})
			cfg := testConfig(srv.addr())
			cfg.Timeout, cfg.Persistent = time.Hour, persistent
			ch, err := irc.New(cfg)
			require.NoError(t, err)
			sent := sendInBackground(ch)
			require.Eventually(t, func() bool { return len(srv.commands("PING")) > 0 }, time.Minute, time.Millisecond)
			require.NotEmpty(t, srv.saidIn("#ops"), "the lines were relayed before the PING")
			require.NoError(t, ch.Close())
			err = <-sent
			require.ErrorIs(t, err, irc.ErrClosed)
			assert.True(t, broadcast.IsPermanent(err), "%v", err)
			assert.True(t, broadcast.IsUncertain(err), "the lines were posted: %v", err)
		})
	}
	t.Run("before any line", func(t *testing.T) {
		addr, heard := silentServer(t)
		cfg := testConfig(addr)
		cfg.Timeout = time.Hour
		ch, err := irc.New(cfg)
		require.NoError(t, err)
		sent := sendInBackground(ch)
		<-heard
		require.NoError(t, ch.Close())
		err = <-sent
		require.ErrorIs(t, err, irc.ErrClosed)
		assert.False(t, broadcast.IsUncertain(err), "nothing was posted: %v", err)
	})
}
