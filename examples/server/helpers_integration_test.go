//go:build integration

package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/redact"
)

// pgEnv names the variable scripts/postgres.sh sets.
const pgEnv = "OUTAGECAST_POSTGRES_DSN"

// newSchema creates a schema of its own for a test, and returns a
// connection string whose search_path is that schema. Cleanup drops it.
// Without a test server the test fails: a missing server is never a skip.
func newSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv(pgEnv)
	if base == "" {
		t.Fatalf("%s is not set: start the test server with eval \"$(scripts/postgres.sh start)\"", pgEnv)
	}
	name := "t_" + strings.ToLower(rand.Text()[:12])
	execSQL(t, base, "CREATE SCHEMA "+name)
	t.Cleanup(func() { execSQL(t, base, "DROP SCHEMA "+name+" CASCADE") })
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func execSQL(t *testing.T, dsn, sql string) {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	require.NoError(t, err)
	defer pool.Close()
	_, err = pool.Exec(context.Background(), sql)
	require.NoError(t, err)
}

// jobs counts River's jobs in the database of dsn.
func jobs(t *testing.T, dsn string) int {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	require.NoError(t, err)
	defer pool.Close()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT count(*) FROM river_job").Scan(&n))
	return n
}

// event is a delivery the receiver accepted.
type event struct {
	Endpoint  string
	WebhookID string
	Type      string
	Data      webhook.Data
}

// receiver is the webhook channels' endpoints: it checks each delivery's
// signature and records it.
type receiver struct {
	*httptest.Server
	secret redact.Secret
	down   atomic.Bool // answer 503 to every delivery
	mu     sync.Mutex
	events []event
}

func newReceiver(t *testing.T) *receiver {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	rc := &receiver{secret: redact.NewSecret("whsec_" + base64.StdEncoding.EncodeToString(key))}
	v, err := webhook.NewVerifier(rc.secret)
	require.NoError(t, err)
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rc.down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		body, err := v.VerifyRequest(r, 1<<20)
		if !assert.NoError(t, err, "a delivery with a good signature") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var p webhook.Payload
		require.NoError(t, json.Unmarshal(body, &p))
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.events = append(rc.events, event{Endpoint: r.URL.Path, WebhookID: r.Header.Get("webhook-id"), Type: p.Type, Data: p.Data})
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// received returns the events about update id, of any type.
func (rc *receiver) received(id string) []event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []event
	for _, e := range rc.events {
		if e.Data.ID == id {
			out = append(out, e)
		}
	}
	return out
}

// writeConfig writes the replicas' configuration: two webhook channels,
// "status-hook" with one endpoint and "subscribers" with two, on rc.
func writeConfig(t *testing.T, rc *receiver) string {
	path := filepath.Join(t.TempDir(), "outagecast.yaml")
	yaml := fmt.Sprintf(`channels:
  - kind: webhook
    name: status-hook
    url: %[1]s/status
    secret: ${TEST_WEBHOOK_SECRET}
  - kind: webhook
    name: subscribers
    endpoints:
      - {url: %[1]s/a, secret: "${TEST_WEBHOOK_SECRET}"}
      - {url: %[1]s/b, secret: "${TEST_WEBHOOK_SECRET}"}
`, rc.URL)
	require.NoError(t, os.WriteFile(path, []byte(yaml), 0o600))
	return path
}

// deployment is a database, a receiver and the replicas' environment.
type deployment struct {
	dsn    string
	rc     *receiver
	config string
	vars   map[string]string
}

// newDeployment migrates a new schema with the program's -migrate.
func newDeployment(t *testing.T) *deployment {
	dep := &deployment{dsn: newSchema(t), rc: newReceiver(t)}
	dep.config = writeConfig(t, dep.rc)
	dep.vars = map[string]string{dsnEnv: dep.dsn, tokensEnv: oldToken + " " + newToken,
		"TEST_WEBHOOK_SECRET": dep.rc.secret.Reveal()}
	env, _, errs := testEnv(dep.vars)
	require.Equal(t, 0, run(context.Background(), []string{"-migrate"}, env), errs.String())
	return dep
}

// replica is a running server.
type replica struct {
	url string
	log *strings.Builder
}

// start starts a replica, as the command line would, with args added (a
// flag in args takes the place of the default one: the server refuses a
// flag given twice). Cleanup shuts it down as SIGTERM would, and checks
// that it stopped cleanly.
func (dep *deployment) start(t *testing.T, args ...string) *replica {
	t.Helper()
	var flags []string
	for _, d := range [][2]string{{"-listen", "127.0.0.1:0"}, {"-config", dep.config}, {"-workers", "4"}, {"-drain-delay", "0"}} {
		if !slices.Contains(args, d[0]) {
			flags = append(flags, d[0], d[1])
		}
	}
	o, err := parseFlags(append(flags, args...), io.Discard)
	require.NoError(t, err)
	env, _, errs := testEnv(dep.vars)
	ctx, cancel := context.WithCancel(context.Background())
	s, _, err := start(ctx, o, env)
	require.NoError(t, err, errs.String())
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, nil) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done, errs.String())
		assert.NotContains(t, errs.String(), dep.rc.secret.Reveal())
		assert.NotContains(t, errs.String(), oldToken)
		assert.NotContains(t, errs.String(), newToken)
	})
	return &replica{url: "http://" + s.ln.Addr().String(), log: errs}
}

// call makes a request to the replica with newToken; body, when not empty,
// is sent as JSON. It returns the status, the Location and the body.
func (r *replica) call(t *testing.T, method, path, body string, header ...string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, r.url+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+newToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Location"), b
}

// post posts an update and returns the accepted answer.
func (r *replica) post(t *testing.T, path, body string) accepted {
	t.Helper()
	code, loc, b := r.call(t, "POST", path, body)
	require.Equal(t, http.StatusAccepted, code, string(b))
	var a accepted
	require.NoError(t, json.Unmarshal(b, &a))
	require.Equal(t, updatePath(a.ID), loc)
	return a
}

// await reads the update at path until every job has finished.
func (r *replica) await(t *testing.T, path string) updateStatus {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		code, _, b := r.call(t, "GET", path+"?wait=10s", "")
		require.Equal(t, http.StatusOK, code, string(b))
		var st updateStatus
		require.NoError(t, json.Unmarshal(b, &st))
		if st.Done && (st.Retraction == nil || st.Retraction.Done) {
			return st
		}
		require.True(t, time.Now().Before(deadline), "not done: %s", b)
	}
}
