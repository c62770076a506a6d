package bluesky

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// takenAnswers are the answers of servers to createRecord under a record
// key already taken: the reference PDS's 500, the 400s of servers that
// say what happened, and Cirrus's 409 RecordAlreadyExists (whose message
// is the record's path).
var takenAnswers = map[string]xrpcAnswer{
	"500 reference":           {status: http.StatusInternalServerError, name: "InternalServerError", message: "Internal Server Error"},
	"400 already exists":      {status: http.StatusBadRequest, name: "InvalidRequest", message: "Record already exists"},
	"400 InvalidSwap":         {status: http.StatusBadRequest, name: "InvalidSwap", message: "Record was at bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5jhgaecvtxqvnbe"},
	"400 already a value at":  {status: http.StatusBadRequest, name: "InvalidRequest", message: "There is already a value at key: app.bsky.feed.post/3lkf5cbqw2a2k"},
	"409 RecordAlreadyExists": {status: http.StatusConflict, name: "RecordAlreadyExists", message: "app.bsky.feed.post/3lkf5cbqw2a2k"},
}

// lostPost makes the first attempt of m post, and lose its answer.
func lostPost(t *testing.T, f *fakePDS, ch *Channel, m broadcast.Message) {
	t.Helper()
	f.set(func(f *fakePDS) { f.loseNext = true })
	_, err := ch.Send(context.Background(), m)
	require.Error(t, err)
	require.False(t, broadcast.IsPermanent(err), "a lost answer is transient: %v", err)
	require.Len(t, f.Received(), 1, "the post was made")
}

// A retry that finds its record key taken reads the post back and returns
// it as delivered, whichever way the server says the key is taken.
func TestSendRetryFindsKeyTaken(t *testing.T) {
	for name, taken := range takenAnswers {
		t.Run(name, func(t *testing.T) {
			f := newFakePDS(t)
			ch := newTestChannel(t, f)
			m := broadcast.NewMessage(testUpdate())
			lostPost(t, f, ch, m)
			f.set(func(f *fakePDS) { f.taken = &taken })

			m.Attempt = 2
			r, err := ch.Send(context.Background(), m)
			require.NoError(t, err)
			got := f.Received()
			require.Len(t, got, 1, "one post")
			assert.Equal(t, got[0].ID, r.ID)
			assert.NotEmpty(t, r.Meta["cid"])
			assert.Len(t, f.received("com.atproto.repo.getRecord"), 1)
		})
	}
}

// When the key is taken and reading the post back fails for a reason that
// may pass (a network error, a 5xx, a 429), whether the post exists is
// unknown: the error is transient, whatever the answer to createRecord
// was, so that a later attempt reads it back; it names both failures and
// keeps the rate limit's wait. A read back that finds no record leaves the
// answer of createRecord as it was (TestSendInternalErrorWithoutRecord).
func TestSendKeyTakenReadBackFails(t *testing.T) {
	reads := map[string]xrpcAnswer{
		"502":          {status: http.StatusBadGateway, name: "UpstreamFailure", message: "Upstream Failure"},
		"503 html":     {status: http.StatusServiceUnavailable, message: "<html><body>Service Unavailable</body></html>"},
		"429":          {status: http.StatusTooManyRequests, name: "RateLimitExceeded", message: "Rate Limit Exceeded", rateLimited: true},
		"conn dropped": {drop: true},
	}
	for takenName, taken := range takenAnswers {
		for readName, read := range reads {
			t.Run(takenName+"/"+readName, func(t *testing.T) {
				f := newFakePDS(t)
				ch := newTestChannel(t, f)
				m := broadcast.NewMessage(testUpdate())
				lostPost(t, f, ch, m)
				f.set(func(f *fakePDS) { f.taken, f.readFailure = &taken, &read })

				m.Attempt = 2
				_, err := ch.Send(context.Background(), m)
				require.Error(t, err)
				assert.False(t, broadcast.IsPermanent(err), "the post may exist: %v", err)
				assert.Contains(t, err.Error(), "bluesky: post: ")
				assert.Contains(t, err.Error(), "read back")
				var xe *XRPCError
				if read.drop {
					assert.False(t, errors.As(err, &xe), "a network error: %v", err)
				} else {
					require.True(t, errors.As(err, &xe))
					assert.Equal(t, read.status, xe.Status, "the read back's failure is the error's")
				}
				_, hinted := broadcast.RetryDelay(err)
				assert.Equal(t, read.rateLimited, hinted, "the rate limit's wait is kept")
				for _, s := range testSecrets {
					assert.NotContains(t, err.Error(), s)
				}

				f.set(func(f *fakePDS) { f.readFailure = nil })
				m.Attempt = 3
				r, err := ch.Send(context.Background(), m)
				require.NoError(t, err, "the next attempt finds the post")
				got := f.Received()
				require.Len(t, got, 1, "one post")
				assert.Equal(t, got[0].ID, r.ID)
			})
		}
	}
}

// Every answer other than 2xx is transient exactly when httpx.Transient
// says so (408, 425, 429, 5xx but 501), whatever XRPC error the body
// names, for every operation.
func TestClassifyFollowsStatus(t *testing.T) {
	ch, err := New(testConfig(""))
	require.NoError(t, err)
	bodies := []string{"", `<html>Bad Gateway</html>`,
		`{"error":"InvalidRequest","message":"Input/repo must be a string"}`,
		`{"error":"InternalServerError","message":"Internal Server Error"}`,
		`{"error":"UpstreamFailure","message":"Upstream Failure"}`,
		`{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`,
		`{"error":"ExpiredToken","message":"Token has expired"}`,
		`{"error":"InvalidToken","message":"Token could not be verified"}`,
		`{"error":"RecordNotFound","message":"Could not locate record"}`}
	for status := 300; status <= 599; status++ {
		if http.StatusText(status) == "" && status != 425 {
			continue
		}
		for _, body := range bodies {
			for _, op := range []string{opPost, opDelete, opCheck, opRead, "log in", "refresh session"} {
				err := ch.classify(op, &httpx.Response{Status: status, Header: http.Header{}, Body: []byte(body)}, nil)
				require.Error(t, err)
				assert.Equal(t, !httpx.Transient(status), broadcast.IsPermanent(err), "%s %d %s: %v", op, status, body, err)
			}
		}
	}
}
