package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// Once the attempt is cancelled (or its AttemptTimeout passes), the
// endpoints not yet posted to fail at once, pending, without the work of
// an error from a request: each used to build its endpoint's Redactor (a
// few milliseconds each) to redact a "context canceled", so that a Send
// to thousands of endpoints returned tens of seconds after its context
// ended, holding the Broadcaster past its timeout.
func TestCancelledAttemptEndsWithoutWorkPerEndpoint(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	var eps []Endpoint
	for i := range 50 {
		eps = append(eps, Endpoint{URL: redact.NewURL(fmt.Sprintf("%s/hooks/tok%04d", srv.URL, i)), Secret: testSecret(fmt.Sprint(i))})
	}
	c, err := New(Config{Endpoints: eps, Concurrency: 1})
	require.NoError(t, err)
	defer c.Close()

	m := broadcast.NewMessage(broadcast.Update{Title: "t", Status: broadcast.StatusInvestigating})
	_, err = c.Send(ctx, m)
	require.Error(t, err)
	assert.False(t, broadcast.IsPermanent(err), "pending, to be retried: %v", err)
	var te *broadcast.TargetsError
	require.True(t, errors.As(err, &te), "%v", err)
	assert.Empty(t, te.Failures)
	require.GreaterOrEqual(t, len(te.Pending), len(eps)-1, "every endpoint but the first")
	for _, f := range te.Pending {
		assert.ErrorIs(t, f.Err, context.Canceled, f.Target)
		assert.Contains(t, f.Err.Error(), "post: ")
	}
	for i, ep := range c.s.endpoints[1:] {
		assert.True(t, ep.rd == nil, "endpoint %d: a Redactor built for an endpoint never posted to", i+1)
	}
}
