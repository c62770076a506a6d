package twitter

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// A 2xx answer that quotes the token, cut at the limit where the token is
// quoted again after a page of blanks (which the error's snippet folds
// into one), leaves no part of it in the error: the snippet of a cut 2xx
// is redacted as a cut error answer's is. Before, the start of the second
// quote stayed, the whole-text redaction not knowing it for a token's.
func TestCutEchoingAnswerHidesTokenHead(t *testing.T) {
	f := newFakeX(t, true)
	f.respondWith(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
		pad := httpx.DefaultBodyLimit - len("echo ") - len(testBearerToken) - 12
		_, _ = w.Write([]byte("echo " + testBearerToken + strings.Repeat(" ", pad) + testBearerToken + " end"))
	})
	_, err := newTestChannel(t, f).Send(context.Background(), broadcast.Message{Update: testUpdate(), Attempt: 1})
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), err)
	assert.Contains(t, err.Error(), "REDACTED")
	assert.NotContains(t, err.Error(), testBearerToken[:12])
}
