package slack

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/cutbody"
	"github.com/outagecast/outagecast/redact"
)

// A chat.postMessage answered 200 whose body breaks off posted the
// message, as every other channel takes a cut 2xx: Slack answers a post it
// made with {"ok": true, "channel": …, "ts": …}, "ok" first, and a refusal
// with a short {"ok": false, "error": "…"}, also with 200
// (https://api.slack.com/methods/chat.postMessage#examples, #errors). So a
// cut answer that does not start by refusing is a post made, without its
// ts: a retry would post the update twice, while a post missed shows
// nowhere. One whose start refuses posted nothing, and is retried. Before,
// every cut answer was retried, posting twice.
func TestCutPostAnswer(t *testing.T) {
	for _, tt := range []struct {
		name, partial string
		delivered     bool
	}{
		{"ok", `{"ok":true,"channel":"C0123456789","ts":"1700000000.0001`, true},
		{"ok with spaces", `{ "ok" : true, "chan`, true},
		{"nothing readable", `{"o`, true},
		{"refused", `{"ok":false,"error":"internal_err`, false},
		{"refused with spaces", "{\n  \"ok\": false,\n  \"err", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := cutbody.NewServer(t, http.StatusOK, tt.partial)
			ch, err := New(Config{Token: redact.NewSecret(testToken), Channels: []string{"C0123456789"}, BaseURL: srv.URL + "/api/"})
			require.NoError(t, err)
			t.Cleanup(func() { _ = ch.Close() })
			r, err := ch.Send(context.Background(), broadcast.NewMessage(update(1, broadcast.StatusInvestigating)))
			assert.Equal(t, 1, srv.Requests())
			if !tt.delivered {
				require.Error(t, err)
				assert.False(t, broadcast.IsPermanent(err), "retried: nothing was posted: %v", err)
				return
			}
			require.NoError(t, err)
			assert.Empty(t, r.ID, "no ts to name the message by")
		})
	}
}
