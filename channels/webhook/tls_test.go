package webhook

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/redact"
)

// An endpoint whose certificate the client does not trust fails at once,
// as the e-mail and IRC channels do (httpx.PermanentTLS): retrying it for
// the Broadcaster's ten minutes would only delay the fix. The error is the
// *url.Error every HTTP channel returns, its text without the endpoint's
// URL, which may hold a token.
func TestUntrustedCertificateIsPermanent(t *testing.T) {
	srv := newCountingServer(t, true)
	ch := newTestChannel(t, Config{Name: "hooks", URL: redact.NewURL(srv.URL + "/hook/t0k3n12345"),
		Secret: testSecret("hook")}, nil)

	_, err := ch.Send(context.Background(), msg(fullUpdate, nil))
	require.Error(t, err)
	assert.True(t, broadcast.IsPermanent(err), "%v", err)
	var te *broadcast.TargetsError
	require.ErrorAs(t, err, &te)
	require.Len(t, te.Failures, 1)
	failure := te.Failures[0].Err
	var ue *url.Error
	require.True(t, errors.As(failure, &ue), "%v", failure)
	assert.True(t, strings.HasPrefix(failure.Error(), "post: tls: failed to verify certificate"), failure.Error())
	assert.NotContains(t, err.Error(), "t0k3n12345")
	assert.Zero(t, srv.hits.Load())
}
