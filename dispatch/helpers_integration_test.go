//go:build integration

package dispatch_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/pgstore"
	"github.com/outagecast/outagecast/dispatch"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	goleak.VerifyTestMain(m)
}

// dsnEnv names the variable scripts/postgres.sh sets.
const dsnEnv = "OUTAGECAST_POSTGRES_DSN"

// newSchema creates a schema of its own for a test and returns a
// connection string whose search_path is that schema, with pgstore's and
// River's tables migrated. The schema is dropped at cleanup. Without a test
// server the test fails: a missing server is never a skip.
func newSchema(t testing.TB) string {
	t.Helper()
	dsn := emptySchema(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	defer pool.Close()
	require.NoError(t, pgstore.Migrate(ctx, pool))
	require.NoError(t, dispatch.Migrate(ctx, pool))
	return dsn
}

// emptySchema is newSchema without the migrations.
func emptySchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(dsnEnv)
	if base == "" {
		t.Fatalf("%s is not set: start the test server with eval \"$(scripts/postgres.sh start)\"", dsnEnv)
	}
	ctx := context.Background()
	name := "t_" + strings.ToLower(rand.Text()[:12])
	admin, err := pgxpool.New(ctx, base)
	require.NoError(t, err)
	defer admin.Close()
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		admin, err := pgxpool.New(ctx, base)
		require.NoError(t, err)
		defer admin.Close()
		_, err = admin.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
		assert.NoError(t, err)
	})
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// instance is one replica: its pool, Store, Broadcaster and Dispatcher.
type instance struct {
	pool  *pgxpool.Pool
	store *pgstore.Store
	b     *broadcast.Broadcaster
	d     *dispatch.Dispatcher
}

// newInstance connects an instance of channels to dsn. cfg's Pool,
// Broadcaster and Store are filled in. Cleanup stops and closes it.
func newInstance(t testing.TB, dsn string, channels []broadcast.Channel, opts broadcast.Options, cfg dispatch.Config) *instance {
	t.Helper()
	in, err := openInstance(context.Background(), dsn, channels, opts, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, in.close()) })
	return in
}

func openInstance(ctx context.Context, dsn string, channels []broadcast.Channel, opts broadcast.Options, cfg dispatch.Config) (*instance, error) {
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	pcfg.MaxConns = int32(max(cfg.Workers, 2) + 8)
	in := &instance{}
	if in.pool, err = pgxpool.NewWithConfig(ctx, pcfg); err != nil {
		return nil, err
	}
	if in.store, err = pgstore.New(ctx, in.pool); err != nil {
		in.pool.Close()
		return nil, err
	}
	opts.Store = in.store
	if opts.Lock == nil { // a test's own wraps the Store's
		opts.Lock = in.store.Lock
	}
	if in.b, err = broadcast.New(channels, opts); err != nil {
		in.pool.Close()
		return nil, err
	}
	cfg.Pool, cfg.Broadcaster, cfg.Store = in.pool, in.b, in.store
	cfg.PollInterval = cmp.Or(cfg.PollInterval, 50*time.Millisecond)
	if in.d, err = dispatch.New(cfg); err != nil {
		in.pool.Close()
		return nil, err
	}
	return in, nil
}

// start starts the instance's workers.
func (in *instance) start(t testing.TB) {
	t.Helper()
	require.NoError(t, in.d.Start(context.Background()))
}

func (in *instance) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := in.d.Stop(ctx)
	in.pool.Close()
	return err
}

// update returns a valid update, told apart by n.
func update(n int) broadcast.Update {
	return broadcast.Update{
		ID:         fmt.Sprintf("u-%d", n),
		IncidentID: fmt.Sprintf("cdn-errors-%d", n),
		Title:      "Elevated error rates on the CDN",
		Status:     broadcast.StatusInvestigating,
		Body:       fmt.Sprintf("Update %d: we are investigating.", n),
	}
}

// hooks is a minimal fan-out channel in the shape of a webhook adapter:
// one POST per endpoint, through broadcast.NewFanout, with the Message's
// Key as the Standard Webhooks webhook-id, Concurrency requests at a time.
type hooks struct {
	name        string
	endpoints   []string // URLs, also the Ledger's targets
	concurrency int
	client      *http.Client
}

func (h *hooks) Name() string { return h.name }

func (h *hooks) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	f := broadcast.NewFanout(m, h.endpoints)
	sem := make(chan struct{}, max(h.concurrency, 1))
	var wg sync.WaitGroup
	for _, i := range f.Todo() {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f.Report(i, h.post(ctx, m, h.endpoints[i]))
		})
	}
	wg.Wait()
	return broadcast.Receipt{}, f.Err()
}

func (h *hooks) post(ctx context.Context, m broadcast.Message, endpoint string) error {
	body := fmt.Sprintf(`{"type":"incident.updated","data":{"id":%q}}`, m.Update.ID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewBufferString(body))
	if err != nil {
		return broadcast.Permanent(err)
	}
	req.Header.Set("webhook-id", m.Key(endpoint))
	req.Header.Set("x-worker", strconv.Itoa(os.Getpid()))
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests:
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return broadcast.RetryAfter(fmt.Errorf("HTTP %d", resp.StatusCode), time.Duration(secs)*time.Second)
	case resp.StatusCode >= 500:
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return broadcast.Permanent(fmt.Errorf("HTTP %d", resp.StatusCode))
}

// newHooks returns channels hooks-0 … hooks-(n-1), each with per endpoints
// under base: base/hook/<channel>/<endpoint>.
func newHooks(base string, n, per, concurrency int) []broadcast.Channel {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	chans := make([]broadcast.Channel, n)
	for c := range n {
		h := &hooks{name: fmt.Sprintf("hooks-%d", c), concurrency: concurrency, client: client}
		for e := range per {
			h.endpoints = append(h.endpoints, fmt.Sprintf("%s/hook/%d/%d", base, c, e))
		}
		chans[c] = h
	}
	return chans
}

// receiver is the endpoints' server: it records every request's webhook-id
// per endpoint, and counts requests per worker process.
type receiver struct {
	*httptest.Server
	delay time.Duration
	// respond, if set, answers instead of 200 when it returns true.
	respond func(w http.ResponseWriter, endpoint string) bool

	mu       sync.Mutex
	ids      map[string][]string // webhook-ids by endpoint path
	byWorker map[string]int      // requests by x-worker
}

func newReceiver(t testing.TB, delay time.Duration) *receiver {
	rc := &receiver{delay: delay, ids: map[string][]string{}, byWorker: map[string]int{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	time.Sleep(rc.delay) // a remote endpoint takes its time
	rc.mu.Lock()
	respond := rc.respond
	rc.ids[r.URL.Path] = append(rc.ids[r.URL.Path], r.Header.Get("webhook-id"))
	rc.byWorker[r.Header.Get("x-worker")]++
	rc.mu.Unlock()
	if respond != nil && respond(w, r.URL.Path) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// requests returns how many requests worker (a pid) made.
func (rc *receiver) requests(worker int) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.byWorker[strconv.Itoa(worker)]
}

// deliveries returns a copy of the webhook-ids by endpoint path.
func (rc *receiver) deliveries() map[string][]string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make(map[string][]string, len(rc.ids))
	for k, v := range rc.ids {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// bringForward makes the job of kind that waits (snoozed, or to retry)
// run now, as if its wait were over, once River has recorded the wait.
func bringForward(t *testing.T, pool *pgxpool.Pool, kind string) {
	t.Helper()
	ctx := waitCtx(t)
	require.Eventually(t, func() bool {
		tag, err := pool.Exec(ctx, "UPDATE river_job SET state = 'available', scheduled_at = now() WHERE kind = $1 AND state IN ('scheduled', 'retryable')", kind)
		return err == nil && tag.RowsAffected() == 1
	}, time.Minute, 10*time.Millisecond, "no job of kind %s waits", kind)
}

// awayPool returns a pool of maxConns connections to dsn, closed at the
// end of t, and the flag that, set, sends the database away: every new
// connection is then refused (no such socket), as by a server that is
// down, and refused, if not nil, is called for each.
func awayPool(ctx context.Context, t *testing.T, dsn string, maxConns int32, refused func()) (*pgxpool.Pool, *atomic.Bool) {
	t.Helper()
	away := new(atomic.Bool)
	pcfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(t, err)
	pcfg.MaxConns = maxConns
	pcfg.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
		if away.Load() {
			if refused != nil {
				refused()
			}
			cc.Host, cc.Fallbacks = "/nonexistent-outagecast", nil // no such socket: refused
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool, away
}
