package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/dispatch"
)

// setReport makes the fake's Report of u-1 pending, or done.
func setReport(ta *testAPI, done bool) {
	rep := &broadcast.Report{UpdateID: "u-1", IncidentID: "cdn", Started: time.Now()}
	for _, ch := range ta.be.channels {
		r := broadcast.Result{Channel: ch, Attempts: 1, Err: dispatch.ErrPending}
		if done {
			r.Err, r.Receipt = nil, broadcast.Receipt{Channel: ch, ID: ch + "-1"}
		}
		rep.Results = append(rep.Results, r)
	}
	if done {
		rep.Finished = time.Now()
	}
	ta.be.mu.Lock()
	defer ta.be.mu.Unlock()
	ta.be.reports["u-1"] = rep
}

// startWait starts GET ?wait of u-1 and returns once its first read is
// made, with the channel of its answer.
func startWait(t *testing.T, ta *testAPI, wait string) <-chan *httptest.ResponseRecorder {
	t.Helper()
	answered := make(chan *httptest.ResponseRecorder, 1)
	go func() { answered <- ta.do("GET", "/v1/updates/u-1?wait="+wait, "") }()
	for {
		if reads, waiters := ta.be.state(); reads >= 1 && waiters == 1 {
			return answered
		}
		select {
		case rec := <-answered:
			t.Fatalf("answered before the update was done: %s", rec.Body.String())
		case <-time.After(time.Millisecond):
		}
	}
}

// A GET that waits reads the update's state again when a job of it
// finishes (dispatch's Changes wakes it), not on a timer of its own: a
// crowd of clients waiting through an outage asks the database little.
// The fake's Changes is woken by the test alone.
func TestWaitReadsWhenAJobFinishes(t *testing.T) {
	t.Run("woken", func(t *testing.T) {
		ta := newTestAPI()
		postedU1(ta)
		setReport(ta, false)
		answered := startWait(t, ta, "30s")
		setReport(ta, true)
		require.Equal(t, 1, ta.be.wake("u-1"))
		rec := <-answered
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.True(t, decodeStatus(t, rec).Done)
		reads, waiters := ta.be.state()
		assert.Equal(t, 2, reads, "the first read, and one when woken")
		assert.Zero(t, waiters, "Changes is released")
	})
	t.Run("not woken", func(t *testing.T) {
		ta := newTestAPI()
		postedU1(ta)
		setReport(ta, false)
		answered := startWait(t, ta, "1s")
		setReport(ta, true) // no job said so: read at the end of the wait
		rec := <-answered
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.True(t, decodeStatus(t, rec).Done)
		reads, waiters := ta.be.state()
		assert.Equal(t, 2, reads, "the first read, and one at the end of the wait: none on a timer between")
		assert.Zero(t, waiters, "Changes is released")
	})
}
