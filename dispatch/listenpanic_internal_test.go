package dispatch

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// errorLog is a Logger's handler that keeps the messages of its Error
// records, and calls first after the first of them.
type errorLog struct {
	mu    *sync.Mutex
	msgs  *[]string
	first func()
}

func (h errorLog) Enabled(context.Context, slog.Level) bool { return true }

func (h errorLog) Handle(_ context.Context, r slog.Record) error {
	if r.Level < slog.LevelError {
		return nil
	}
	h.mu.Lock()
	*h.msgs = append(*h.msgs, r.Message)
	n := len(*h.msgs)
	h.mu.Unlock()
	if n == 1 {
		h.first()
	}
	return nil
}

func (h errorLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h errorLog) WithGroup(string) slog.Handler      { return h }

// The listener for finished jobs runs Config.Pool's BeforeConnect and
// AfterConnect itself, and pgx runs the hooks of its ConnConfig (here a
// DialFunc), in a goroutine of the Dispatcher's: a panic in one of them
// ended the process. It is logged, naming the hook, and is the
// connection's error: the listener tries again later, until ctx ends.
func TestAPanickingPoolHookCrashesNoListener(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*pgxpool.Config)
		want string
	}{
		{"BeforeConnect", func(c *pgxpool.Config) {
			c.BeforeConnect = func(context.Context, *pgx.ConnConfig) error { panic("a bug in BeforeConnect") }
		}, "dispatch: Config.Pool's BeforeConnect panicked: a string"},
		{"ConnConfig.DialFunc", func(c *pgxpool.Config) {
			c.ConnConfig.DialFunc = func(context.Context, string, string) (net.Conn, error) { panic("a bug in DialFunc") }
		}, "dispatch: the listener's connection (a hook of Config.Pool's ConnConfig) panicked: a string"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pcfg, err := pgxpool.ParseConfig("postgres://outagecast@127.0.0.1:1/none?sslmode=disable&pool_max_conns=14&connect_timeout=1")
			require.NoError(t, err)
			tt.set(pcfg)
			pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
			require.NoError(t, err)
			defer pool.Close()
			b, err := broadcast.New([]broadcast.Channel{broadcast.ChannelFunc("x",
				func(context.Context, broadcast.Message) (broadcast.Receipt, error) { return broadcast.Receipt{}, nil })},
				broadcast.Options{})
			require.NoError(t, err)
			defer b.Close()

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var mu sync.Mutex
			var msgs []string
			d, err := New(Config{Pool: pool, Broadcaster: b, Store: broadcast.NewMemoryStore(),
				Logger: slog.New(errorLog{mu: &mu, msgs: &msgs, first: cancel})})
			require.NoError(t, err)
			require.NotPanics(t, func() { d.listen(ctx) }, "logged, then ctx ends")
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, msgs, 1)
			assert.Equal(t, tt.want, msgs[0])
		})
	}
}
