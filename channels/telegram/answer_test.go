package telegram

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/cutbody"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
)

// botAPI is a Bot API that answers every request with answer, counting
// the requests; the channel posts to chats, or else @examplestatus.
func botAPI(t *testing.T, answer http.HandlerFunc, chats ...string) (*Channel, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	if len(chats) == 0 {
		chats = []string{"@examplestatus"}
	}
	ch, err := New(Config{Token: redact.NewSecret(testToken), Chats: chats, BaseURL: srv.URL})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	return ch, &calls
}

// A reply's answer holds the message and the one replied to, each up to
// 4,096 characters, which the Bot API may write as \u escapes: well over
// 64 KiB. It is read whole, and the message id is in the receipt.
func TestLargeAnswerRead(t *testing.T) {
	esc := strings.Repeat(`\ud83d\udd25`, 3000)
	ch, calls := botAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `{"ok":true,"result":{"message_id":11,"chat":{"id":-1001,"type":"channel","username":"examplestatus"},"date":1,"text":"%s","reply_to_message":{"message_id":1,"chat":{"id":-1001,"type":"channel"},"date":1,"text":"%s"}}}`, esc, esc)
	})
	m := broadcast.NewMessage(broadcast.Update{ID: "u1", IncidentID: "i", Title: "CDN", Status: broadcast.StatusInvestigating,
		Body: strings.Repeat("🔥", 3000), URL: "https://status.example.com/x"})
	m.Thread.Last = broadcast.Receipt{ID: "1"}
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "11", r.ID)
	assert.EqualValues(t, 1, calls.Load())
}

// A 2xx whose answer breaks off is a message posted: the chat is marked
// delivered and the Send succeeds, so that no retry posts it again; the
// receipt lacks only the message id.
func TestCutAnswerIsDelivered(t *testing.T) {
	ch, calls := botAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		cutbody.Write(w, http.StatusOK, `{"ok":true,"result":{"mess`)
	})
	m := broadcast.NewMessage(broadcast.Update{ID: "u1", IncidentID: "i", Title: "CDN", Status: broadcast.StatusInvestigating})
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err, "posted: a retry would post again")
	done, failure := m.Ledger.Done("@examplestatus")
	assert.True(t, done)
	assert.Empty(t, failure)
	assert.Empty(t, r.ID, "the answer naming the message was lost")
	assert.EqualValues(t, 1, calls.Load())
}

// A retry_after too large for a time.Duration in nanoseconds waits the
// longest a platform may ask for, not nothing.
func TestHugeRetryAfterCapped(t *testing.T) {
	ch, _ := botAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 10000000000","parameters":{"retry_after":10000000000}}`)
	})
	_, err := ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{ID: "u", Title: "t", Status: broadcast.StatusInvestigating}))
	require.Error(t, err)
	d, ok := broadcast.RetryDelay(err)
	require.True(t, ok)
	assert.Equal(t, httpx.MaxRetryAfter, d)
	assert.Greater(t, d, time.Hour)
}

// A whole 2xx that is not the Bot API's answer (a captive portal's or a
// proxy's page, a base URL with a wrong path) is another server's: the
// Bot API answers every request with JSON whose "ok" is true and whose
// "result" holds the outcome, or with ok false and an error_code
// (https://core.telegram.org/bots/api#making-requests), so nothing shows
// the request reached Telegram. Like a foreign 404, it is Permanent,
// names Config.BaseURL, and the chats not yet tried fail without a
// request; Edit, Retract and Check likewise. Before, such a page was a
// transient error naming no field, retried for every chat, and an
// {"ok":true} without a result counted as a message posted.
func TestForeign200IsNotDelivered(t *testing.T) {
	const want = "not the Bot API's answer (check Config.BaseURL)"
	for _, body := range []string{"<html><body>Welcome to the hotel Wi-Fi</body></html>", `{"ok":true}`, ""} {
		var answer atomic.Value
		answer.Store(body)
		ch, calls := botAPI(t, func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, answer.Load())
		}, "@examplestatus", "-1002222222222")
		m := broadcast.NewMessage(broadcast.Update{ID: "u1", IncidentID: "i", Title: "CDN", Status: broadcast.StatusInvestigating})
		_, err := ch.Send(context.Background(), m)
		require.Errorf(t, err, "%q", body)
		assert.True(t, broadcast.IsPermanent(err), err)
		assert.Contains(t, err.Error(), "Bot API answered 200", body)
		assert.Contains(t, err.Error(), want, body)
		assert.NotContains(t, err.Error(), "token", body)
		assert.EqualValues(t, 1, calls.Load(), "every chat gets the same answer")
		done, failure := m.Ledger.Done("@examplestatus")
		assert.True(t, done)
		assert.Contains(t, failure, want, "failed, not delivered")

		err = ch.Check(context.Background())
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), err)
		assert.Contains(t, err.Error(), want, body)

		prev := broadcast.Receipt{ID: "7", Meta: map[string]string{metaMessage("@examplestatus"): "7", metaChat("@examplestatus"): "-1001"}}
		_, err = ch.Edit(context.Background(), broadcast.NewMessage(m.Update), prev)
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), err)
		assert.Contains(t, err.Error(), want, body)
		err = ch.Retract(context.Background(), prev)
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), err)
		assert.Contains(t, err.Error(), want, body)

		answer.Store(`{"ok":true,"result":true}`)
		require.NoError(t, ch.Retract(context.Background(), prev), "the Bot API's answer")
	}
}

// A forum's General topic has id 1, but the Bot API refuses
// message_thread_id 1 with 400 "Bad Request: message thread not found"
// (tdlib/telegram-bot-api#798, python-telegram-bot#4739): a chat entry
// ".../1" posts without message_thread_id, which is the General topic.
func TestGeneralTopic(t *testing.T) {
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if strings.Contains(string(b), `"message_thread_id":1,`) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: message thread not found"}`)
			return
		}
		fmt.Fprint(w, `{"ok":true,"result":{"message_id":5,"chat":{"id":-1002222222222,"type":"supergroup","is_forum":true},"date":1,"text":"x"}}`)
	}))
	t.Cleanup(srv.Close)
	ch, err := New(Config{Token: redact.NewSecret(testToken), Chats: []string{"-1002222222222/1"}, BaseURL: srv.URL})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ch.Close() })
	m := broadcast.NewMessage(broadcast.Update{ID: "u1", IncidentID: "i", Title: "CDN", Status: broadcast.StatusInvestigating})
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Equal(t, "5", r.Meta["message_id:-1002222222222/1"])
	require.Len(t, bodies, 1)
	assert.NotContains(t, bodies[0], "message_thread_id")
}

// A 404 or 401 that is not the Bot API's answer (which is JSON, with an
// error_code: https://core.telegram.org/bots/api#making-requests) comes
// from another server: a base URL with a wrong path, a proxy. Its error
// says so and names the field to check, not that the bot token was
// refused, which would send the user to revoke a working token during an
// outage; a redirect and a 405 likewise, a redirect naming where it
// pointed. Every chat would get the same answer: the chats not yet tried
// fail without a request.
func TestForeign404IsNotATokenRefusal(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusUnauthorized, http.StatusMethodNotAllowed, http.StatusFound} {
		ch, calls := botAPI(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Location", "https://www.example.org/")
			w.WriteHeader(status)
			fmt.Fprint(w, "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>")
		}, "@examplestatus", "-1002222222222")
		_, err := ch.Send(context.Background(), broadcast.NewMessage(broadcast.Update{ID: "u", Title: "t", Status: broadcast.StatusInvestigating}))
		require.Error(t, err)
		assert.True(t, broadcast.IsPermanent(err), status)
		assert.NotErrorIs(t, err, errTokenRefused, status)
		assert.NotContains(t, err.Error(), "token", status)
		assert.Contains(t, err.Error(), "not the Bot API's answer (check Config.BaseURL)", status)
		assert.EqualValues(t, 1, calls.Load(), "every chat gets the same answer")
		if status == http.StatusFound {
			assert.Contains(t, err.Error(), "Bot API answered 302: redirect to https://www.example.org not followed")
		}
	}
}

// The Bot API's {"ok":true} says the message was sent: a result that does
// not read as a message (a future field's shape, a proxy's rewrite) is
// still a delivery, without a message id, not an error a retry would
// answer with a second post.
func TestOKWithUnreadableResultIsDelivered(t *testing.T) {
	ch, calls := botAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"ok":true,"result":{"message_id":"not a number"}}`)
	})
	m := broadcast.NewMessage(broadcast.Update{ID: "u1", IncidentID: "i", Title: "CDN", Status: broadcast.StatusInvestigating})
	r, err := ch.Send(context.Background(), m)
	require.NoError(t, err)
	assert.Empty(t, r.ID)
	assert.EqualValues(t, 1, calls.Load())
	done, failure := m.Ledger.Done("@examplestatus")
	assert.True(t, done)
	assert.Empty(t, failure, "delivered")
}
