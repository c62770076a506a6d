package channeltest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/channeltest"
)

// EchoAnswer keeps the platform's answer but quotes the request's
// credentials after each string value of a 2xx JSON answer, and leaves
// numbers and other answers alone.
func TestEchoAnswer(t *testing.T) {
	platform := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Run-Id", "run-1")
		if strings.Contains(string(body), "text") {
			_, _ = io.WriteString(w, "ok\n")
			return
		}
		if strings.Contains(string(body), "refuse") {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error":"bad"}`)
			return
		}
		_, _ = io.WriteString(w, `{"id":"m-1","n":12345678901234567891,"thread":{"name":"t-1"},"ok":true}`)
	})
	srv := httptest.NewServer(channeltest.EchoAnswer(platform, "x-run-id"))
	defer srv.Close()
	post := func(body string) (int, string) {
		req, err := http.NewRequest("POST", srv.URL+"/hooks/tok-path?key=tok%2Fquery", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer tok-header")
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 == 2 {
			runID := resp.Header.Get("X-Run-Id")
			assert.True(t, strings.HasPrefix(runID, "run-1 "), runID)
			assert.Contains(t, runID, "tok-header")
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), "a header not named")
		}
		return resp.StatusCode, string(b)
	}

	status, body := post(`{"say":"hi","secret":"tok-body"}`)
	assert.Equal(t, 200, status)
	var got struct {
		ID     string
		N      json.Number
		Thread struct{ Name string }
		OK     bool
	}
	require.NoError(t, json.Unmarshal([]byte(body), &got), body)
	for _, field := range []string{got.ID, got.Thread.Name} {
		for _, secret := range []string{"tok-header", "tok-path", "tok/query", "tok-body"} {
			assert.Contains(t, field, secret)
		}
	}
	assert.True(t, strings.HasPrefix(got.ID, "m-1 "), got.ID)
	assert.Equal(t, "12345678901234567891", got.N.String())
	assert.True(t, got.OK)

	status, body = post(`{"say":"refuse"}`)
	assert.Equal(t, 400, status)
	assert.JSONEq(t, `{"error":"bad"}`, body)

	_, body = post(`{"text":"hi"}`)
	assert.True(t, strings.HasPrefix(body, "ok "), body)
	assert.Contains(t, body, "tok-header")
}

// EchoAnswerWhile echoes only the requests that come while echo reports
// true, each once, and none after.
func TestEchoAnswerWhile(t *testing.T) {
	var on atomic.Bool
	platform := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"id":"m-1"}`)
	})
	srv := httptest.NewServer(channeltest.EchoAnswerWhile(on.Load, platform))
	defer srv.Close()
	get := func() string {
		req, err := http.NewRequest("GET", srv.URL, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer tok-header")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	assert.Equal(t, `{"id":"m-1"}`, get())
	on.Store(true)
	for range 2 {
		assert.Equal(t, 1, strings.Count(get(), "tok-header"), "echoed once")
	}
	on.Store(false)
	assert.Equal(t, `{"id":"m-1"}`, get())
}
