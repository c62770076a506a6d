package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
)

// A state file written by a bridge whose content digest took the link in
// too: the next repeat saying nothing new, after the upgrade, posts
// nothing.
func TestRepeatAfterUpgradePostsNothing(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	refired := strings.Replace(string(notification(t, 0, dbDown)), "2024-05-14T09:12:30Z", "2024-05-14T10:02:00Z", 1)
	for i, body := range [][]byte{notification(t, 0, dbDown), []byte(refired)} {
		var out bytes.Buffer
		h, closeAll, err := setup(&options{state: state}, &out, io.Discard, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		srv := httptest.NewServer(h.routes())
		code, _ := post(t, srv, body)
		if i == 0 {
			// What an earlier version of the bridge recorded.
			p, err := decodePayload(bytes.NewReader(body))
			require.NoError(t, err)
			ctx := context.Background()
			u := h.m.update(p, incident{})
			rec, err := h.incident(ctx, u.IncidentID)
			require.NoError(t, err)
			require.Equal(t, content(u), rec.Content)
			u.Time = rec.Time
			r := broadcast.Receipt{Channel: recordChannel, UpdateID: u.ID, UpdateTime: u.Time, Time: rec.Time,
				Meta: map[string]string{"title": u.Title, "impact": string(u.Impact), "update": u.ID, "content": digest(u, true)}}
			require.NoError(t, h.store.SaveReceipt(ctx, u.IncidentID, recordChannel+u.IncidentID, r))
		}
		srv.Close()
		closeAll()
		require.Equal(t, 200, code, i)
		assert.Equal(t, i == 0, strings.Contains(out.String(), "Database unavailable"), "notification %d: %s", i, out.String())
	}
}
