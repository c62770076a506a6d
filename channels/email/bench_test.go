package email_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
	"github.com/outagecast/outagecast/channels/email"
)

// BenchmarkBulk10k sends one update to 10,000 recipients through the SMTP
// sink named by OUTAGECAST_SMTP_SINK (host:port; scripts/bench-email.sh
// starts Postfix's smtp-sink and sets it), over
// OUTAGECAST_BENCH_CONCURRENCY connections (default 8), in plain text
// without authentication, as to a local relay. It reports messages per
// second and the size of one message.
func BenchmarkBulk10k(b *testing.B) {
	const n = 10_000
	sink := os.Getenv("OUTAGECAST_SMTP_SINK")
	if sink == "" {
		b.Fatal("OUTAGECAST_SMTP_SINK is not set: run scripts/bench-email.sh, which starts an SMTP sink")
	}
	host, port, err := net.SplitHostPort(sink)
	require.NoError(b, err)
	p, err := strconv.Atoi(port)
	require.NoError(b, err)
	concurrency := 8
	if s := os.Getenv("OUTAGECAST_BENCH_CONCURRENCY"); s != "" {
		concurrency, err = strconv.Atoi(s)
		require.NoError(b, err)
	}
	to := make([]string, n)
	for i := range to {
		to[i] = fmt.Sprintf("subscriber%05d@example.net", i)
	}
	ch, err := email.New(email.Config{Host: host, Port: p, TLS: email.TLSPlaintext, From: testFrom, To: to,
		Concurrency: concurrency, HelloName: "bench.example.com",
		ListUnsubscribe: "https://status.example.com/unsubscribe?email={{.Recipient}}"})
	require.NoError(b, err)

	sent := 0
	b.ResetTimer()
	for b.Loop() {
		u := incident(sent/n + 1)
		ledger := channeltest.NewLedger()
		r, err := ch.Send(context.Background(), broadcast.Message{Update: u, Ledger: ledger})
		if err != nil {
			b.Fatal(err)
		}
		if r.Meta["sent"] != strconv.Itoa(n) {
			b.Fatalf("sent %s of %d", r.Meta["sent"], n)
		}
		sent += n
	}
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(messageSize(b)), "bytes/msg")
}

// messageSize is the size of one message of the benchmark, as a server
// receives it.
func messageSize(b *testing.B) int {
	srv := startSMTP(b, serverOptions{noTLS: true})
	one, err := email.New(email.Config{Host: "127.0.0.1", Port: srv.port(), TLS: email.TLSPlaintext,
		From: testFrom, To: []string{"subscriber00000@example.net"}, Timeout: 5 * time.Second,
		ListUnsubscribe: "https://status.example.com/unsubscribe?email={{.Recipient}}"})
	require.NoError(b, err)
	_, err = one.Send(context.Background(), broadcast.Message{Update: incident(1)})
	require.NoError(b, err)
	return len(srv.messages()[0].data)
}
