package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A value the bridge refuses is quoted in its 400 answer and its log, cut
// short as a bad time is: a sender could otherwise put up to -max-body of
// text in a single log line.
func TestRefusedValueIsQuotedShort(t *testing.T) {
	long := strings.Repeat("x", 100_000)
	for name, body := range map[string]string{
		"version":          `{"version":"` + long + `","groupKey":"g","status":"firing","alerts":[{"status":"firing"}]}`,
		"status":           `{"version":"4","groupKey":"g","status":"` + long + `","alerts":[{"status":"firing"}]}`,
		"alerts[0].status": `{"version":"4","groupKey":"g","status":"firing","alerts":[{"status":"` + long + `"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			var log bytes.Buffer
			store := broadcast.NewMemoryStore()
			b, err := broadcast.New([]broadcast.Channel{&recorder{name: "status"}}, broadcast.Options{Store: store})
			require.NoError(t, err)
			defer b.Close()
			h := &handler{b: b, store: store, log: slog.New(slog.NewTextHandler(&log, nil)), say: func(_, s string) string { return s }}
			srv := httptest.NewServer(h.routes())
			defer srv.Close()
			resp, err := http.Post(srv.URL+"/alerts", "application/json", strings.NewReader(body))
			require.NoError(t, err)
			defer resp.Body.Close()
			answer, _ := io.ReadAll(resp.Body)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			assert.Contains(t, string(answer), name+`: `)
			assert.Contains(t, string(answer), `xxx…"`)
			assert.Less(t, len(answer), 300, "the answer quotes the value short")
			assert.Less(t, log.Len(), 500, "the log line quotes the value short")
		})
	}
}
