package email_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/email"
)

// The e-mail benchmarks send through the SMTP sink named by
// OUTAGECAST_SMTP_SINK (host:port; scripts/bench-email.sh starts Postfix's
// smtp-sink, sets it, and compares each row with Postfix's smtp-source), in
// plain text without authentication, as to a local relay. One op is one
// row: 1,000 messages. Each reports messages per second and the size of one
// message on the wire ("bytes/msg", CRLF line endings); with
// OUTAGECAST_BENCH_MESSAGE set, the message is also written to that file,
// for smtp-source -F to send the same bytes.
//
//	OUTAGECAST_SMTP_SINK=127.0.0.1:21525 go test -run '^$' -bench 'SMTP' -benchtime 1x ./channels/email
const benchMessages = 1000

// BenchmarkSMTPNotifications sends 1,000 notifications of one recipient
// each: 1,000 Sends of a channel whose To has one address, 8 at a time and
// one at a time.
func BenchmarkSMTPNotifications(b *testing.B) {
	for _, sessions := range []int{8, 1} {
		b.Run(fmt.Sprintf("at-a-time=%d", sessions), func(b *testing.B) {
			ch := benchChannel(b, []string{"subscriber@example.net"})
			for b.Loop() {
				var next atomic.Int64
				var wg sync.WaitGroup
				for range sessions {
					wg.Go(func() {
						for n := next.Add(1); n <= benchMessages; n = next.Add(1) {
							r, err := ch.Send(context.Background(), broadcast.NewMessage(incident(int(n))))
							if err != nil || r.Meta["sent"] != "1" {
								b.Errorf("notification %d: sent %q: %v", n, r.Meta["sent"], err)
								return
							}
						}
					})
				}
				wg.Wait()
			}
			report(b, "subscriber@example.net")
		})
	}
}

// BenchmarkSMTPRecipients sends one notification to 1,000 recipients over 8
// connections.
func BenchmarkSMTPRecipients(b *testing.B) {
	to := make([]string, benchMessages)
	for i := range to {
		to[i] = fmt.Sprintf("subscriber%04d@example.net", i)
	}
	ch := benchChannel(b, to)
	n := 0
	for b.Loop() {
		n++
		r, err := ch.Send(context.Background(), broadcast.NewMessage(incident(n)))
		if err != nil {
			b.Fatal(err)
		}
		if r.Meta["sent"] != strconv.Itoa(len(to)) {
			b.Fatalf("sent %s of %d", r.Meta["sent"], len(to))
		}
	}
	report(b, to[0])
}

// benchChannel returns a channel to the sink with 8 connections, closed
// when the benchmark ends.
func benchChannel(b *testing.B, to []string) *email.Channel {
	sink := os.Getenv("OUTAGECAST_SMTP_SINK")
	if sink == "" {
		b.Fatal("OUTAGECAST_SMTP_SINK is not set: run scripts/bench-email.sh, which starts an SMTP sink")
	}
	host, port, err := net.SplitHostPort(sink)
	require.NoError(b, err)
	p, err := strconv.Atoi(port)
	require.NoError(b, err)
	ch, err := email.New(benchConfig(host, p, to))
	require.NoError(b, err)
	b.Cleanup(func() { closeChannel(b, ch) })
	return ch
}

func benchConfig(host string, port int, to []string) email.Config {
	return email.Config{Host: host, Port: port, TLS: email.TLSPlaintext, From: testFrom, To: to,
		Concurrency: 8, HelloName: "bench.example.com", Timeout: 10 * time.Second,
		ListUnsubscribe: "https://status.example.com/unsubscribe?email={{.Recipient}}"}
}

// closeChannel closes ch if it is an io.Closer.
func closeChannel(tb testing.TB, ch any) {
	if c, ok := ch.(io.Closer); ok {
		require.NoError(tb, c.Close())
	}
}

// report reports the rate and the size of one message to rcpt, which it
// writes to OUTAGECAST_BENCH_MESSAGE if set.
func report(b *testing.B, rcpt string) {
	b.ReportMetric(float64(b.N*benchMessages)/b.Elapsed().Seconds(), "msgs/s")
	data := benchMessage(b, rcpt)
	// The server gets LF line endings; the wire has CRLF.
	b.ReportMetric(float64(len(data)+strings.Count(data, "\n")), "bytes/msg")
	if path := os.Getenv("OUTAGECAST_BENCH_MESSAGE"); path != "" {
		require.NoError(b, os.WriteFile(path, []byte(data), 0o644))
	}
}

// benchMessage returns the message to rcpt of the benchmark's first
// update, as a server receives it (LF line endings, dots unstuffed).
func benchMessage(b *testing.B, rcpt string) string {
	srv := startSMTP(b, serverOptions{noTLS: true})
	one, err := email.New(benchConfig("127.0.0.1", srv.port(), []string{rcpt}))
	require.NoError(b, err)
	defer closeChannel(b, one)
	_, err = one.Send(context.Background(), broadcast.NewMessage(incident(1)))
	require.NoError(b, err)
	return srv.messages()[0].data
}
