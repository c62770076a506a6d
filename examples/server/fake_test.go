package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// fakeBackend is the API's backend without a database: updates are
// validated and given their defaults by a Broadcaster's Jobs, as dispatch
// does, queued in memory, one job per channel, and delivered at once.
type fakeBackend struct {
	mu        sync.Mutex
	b         *broadcast.Broadcaster
	channels  []string
	updates   map[string]broadcast.Update // sends and corrections, by ID
	retracted map[string]bool
	receipts  map[string]broadcast.Receipt // "id channel": updates whose jobs River deleted
	reports   map[string]*broadcast.Report // set by a test: the Report of an ID
	jobs      int                          // jobs queued
	reads     int                          // calls of Report
	waiters   map[chan struct{}]string     // Changes' channels, to their update
	err       error                        // every call fails with it: the database is down
	hang      bool                         // every call waits for its context to end: the database does not answer
}

func newFakeBackend() *fakeBackend {
	f := &fakeBackend{channels: []string{"hooks", "x"}, updates: map[string]broadcast.Update{},
		retracted: map[string]bool{}, receipts: map[string]broadcast.Receipt{}, reports: map[string]*broadcast.Report{}}
	var chs []broadcast.Channel
	for _, name := range f.channels {
		chs = append(chs, broadcast.ChannelFunc(name, func(context.Context, broadcast.Message) (broadcast.Receipt, error) {
			return broadcast.Receipt{}, errors.New("the fake delivers nothing")
		}))
	}
	b, err := broadcast.New(chs, broadcast.Options{})
	if err != nil {
		panic(err)
	}
	f.b = b
	return f
}

func (f *fakeBackend) queued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.jobs
}

func (f *fakeBackend) enqueue(kind broadcast.JobKind, u broadcast.Update, original string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return "", f.err
	}
	jobs, err := f.b.Jobs(kind, u, original)
	if err != nil {
		return "", fmt.Errorf("dispatch: enqueue: %w", err)
	}
	u = jobs[0].Update
	if prev, ok := f.updates[u.ID]; ok && !sameContent(prev, u) {
		return "", fmt.Errorf("dispatch: enqueue: %w: %s", dispatch.ErrIDInUse, u.ID)
	}
	if _, ok := f.updates[u.ID]; !ok { // jobs are unique by update and channel
		f.updates[u.ID] = u
		f.jobs += len(f.channels)
	}
	return u.ID, nil
}

// sameContent reports whether a and b differ in nothing but their Time.
func sameContent(a, b broadcast.Update) bool {
	a.ID, b.ID = "", ""
	return a.WithDefaults(time.Time{}).ID == b.WithDefaults(time.Time{}).ID
}

// hung waits for ctx to end when the database does not answer.
func (f *fakeBackend) hung(ctx context.Context) error {
	f.mu.Lock()
	hang := f.hang
	f.mu.Unlock()
	if !hang {
		return nil
	}
	<-ctx.Done()
	return ctx.Err()
}

func (f *fakeBackend) Enqueue(ctx context.Context, u broadcast.Update) (string, error) {
	if err := f.hung(ctx); err != nil {
		return "", err
	}
	return f.enqueue(broadcast.JobSend, u, "")
}

func (f *fakeBackend) Correct(ctx context.Context, original string, u broadcast.Update) (string, error) {
	if err := f.hung(ctx); err != nil {
		return "", err
	}
	return f.enqueue(broadcast.JobCorrect, u, original)
}

func (f *fakeBackend) Retract(ctx context.Context, id string) error {
	if err := f.hung(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if !f.retracted[id] {
		f.retracted[id] = true
		f.jobs += len(f.channels)
	}
	return nil
}

func (f *fakeBackend) Report(ctx context.Context, id string) (*broadcast.Report, bool, error) {
	if err := f.hung(ctx); err != nil {
		return nil, false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.err != nil {
		return nil, false, f.err
	}
	if rep, ok := f.reports[id]; ok {
		return rep, !rep.Finished.IsZero(), nil
	}
	u, ok := f.updates[id]
	if !ok {
		return nil, false, fmt.Errorf("%w: %s", dispatch.ErrNoJobs, id)
	}
	rep := &broadcast.Report{UpdateID: id, IncidentID: u.IncidentID, Started: u.Time, Finished: u.Time.Add(time.Second)}
	for _, ch := range f.channels {
		rep.Results = append(rep.Results, broadcast.Result{Channel: ch, Attempts: 1,
			Receipt: broadcast.Receipt{Channel: ch, ID: ch + "-" + id, URL: "https://" + ch + ".example.com/" + id, Time: u.Time}})
	}
	return rep, true, nil
}

func (f *fakeBackend) RetractReport(ctx context.Context, id string) (*broadcast.Report, bool, error) {
	if err := f.hung(ctx); err != nil {
		return nil, false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, false, f.err
	}
	if !f.retracted[id] {
		return nil, false, fmt.Errorf("%w: %s", dispatch.ErrNoJobs, id)
	}
	rep := &broadcast.Report{UpdateID: id}
	for _, ch := range f.channels {
		rep.Results = append(rep.Results, broadcast.Result{Channel: ch, Attempts: 1})
	}
	return rep, true, nil
}

func (f *fakeBackend) Receipt(ctx context.Context, id, channel string) (broadcast.Receipt, bool, error) {
	if err := f.hung(ctx); err != nil {
		return broadcast.Receipt{}, false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return broadcast.Receipt{}, false, f.err
	}
	r, ok := f.receipts[id+" "+channel]
	return r, ok, nil
}

func (f *fakeBackend) Channels() []string { return f.channels }

func (f *fakeBackend) Thread(ctx context.Context, incidentID, channel string) (broadcast.Thread, error) {
	if err := f.read(ctx); err != nil {
		return broadcast.Thread{}, err
	}
	return f.b.Thread(ctx, incidentID, channel)
}

func (f *fakeBackend) CorrectionRejects(ctx context.Context, original string, u broadcast.Update, channel string) (string, error) {
	if err := f.read(ctx); err != nil {
		return "", err
	}
	return f.b.CorrectionRejects(ctx, original, u, channel)
}

// read is what a read of the Store meets: the database down or hung.
func (f *fakeBackend) read(ctx context.Context) error {
	if err := f.hung(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// Changes is woken by the test (wake), never by time: a GET that waits
// reads only when told to.
func (f *fakeBackend) Changes(id string) (<-chan struct{}, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := make(chan struct{}, 1)
	if f.waiters == nil {
		f.waiters = map[chan struct{}]string{}
	}
	f.waiters[c] = id
	return c, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.waiters, c)
	}
}

// wake wakes the waiters of update id, as a job of it finishing does, and
// reports how many there were.
func (f *fakeBackend) wake(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for c, wid := range f.waiters {
		if wid == id {
			n++
			select {
			case c <- struct{}{}:
			default:
			}
		}
	}
	return n
}

// state returns the calls of Report so far and the waiters of Changes.
func (f *fakeBackend) state() (reads, waiters int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads, len(f.waiters)
}

// errDatabaseDown is the fake's error for a database that does not answer.
var errDatabaseDown = errors.New("failed to connect to `user=outagecast database=outagecast`: connection refused")

// testAPI is an API on a fake backend, its workers running, tokens
// oldToken and newToken, and its log in a buffer.
type testAPI struct {
	*api
	be  *fakeBackend
	log *strings.Builder
	h   http.Handler
}

func newTestAPI() *testAPI {
	toks, err := parseTokens(oldToken + "," + newToken)
	if err != nil {
		panic(err)
	}
	var logs strings.Builder
	be := newFakeBackend()
	a := newAPI(be, toks, slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	a.maxBody = 4 << 10
	a.metrics = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		io.WriteString(w, "outagecast_dispatch_deliveries_total{channel=\"hooks\"} 1\n")
	})
	a.running.Store(true)
	return &testAPI{api: a, be: be, log: &logs, h: a.handler()}
}

// do serves one request: a body, when not empty, as JSON, with newToken
// unless header says otherwise.
func (ta *testAPI) do(method, path, body string, header ...string) *httptest.ResponseRecorder {
	req := ta.request(method, path, body, header...)
	rec := httptest.NewRecorder()
	ta.h.ServeHTTP(rec, req)
	return rec
}

func (ta *testAPI) request(method, path, body string, header ...string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
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
	return req
}

// requestOf is the request of case c.
func (ta *testAPI) requestOf(c apiCase) *http.Request {
	req := ta.request(c.method, c.path, c.body, c.header...)
	if c.stalls {
		req.Body = io.NopCloser(io.MultiReader(strings.NewReader(c.body), stalledBody{}))
	}
	return req
}

// stalledBody is the rest of a body whose client stalls: the server's read
// deadline (http.Server.ReadTimeout) passes, and the read fails as a
// net.Conn's read fails then.
type stalledBody struct{}

func (stalledBody) Read([]byte) (int, error) {
	return 0, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
}

// syncWriter serializes writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
