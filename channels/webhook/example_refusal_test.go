package webhook_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/channels/webhook"
	"github.com/outagecast/outagecast/redact"
)

// The example's receiver, which users copy, answers a refusal at once and
// closes the connection, the body unread: net/http would otherwise read
// up to 256 KiB of the body a refused request announced before sending
// the answer, and a sender whose body is slow or never comes (here, an
// unsigned request) waited for its answer until the server's read timeout.
func TestExampleReceiverRefusesBeforeTheBody(t *testing.T) {
	v, err := webhook.NewVerifier(redact.NewSecret(secret))
	require.NoError(t, err)
	srv := httptest.NewServer(receive(v))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second))) // a guard: fail rather than hang
	_, err = io.WriteString(conn, "POST /hook HTTP/1.1\r\nHost: receiver\r\nContent-Length: 1000\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "answered before the body came")
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.True(t, resp.Close, "the connection is closed, the body unread")
}
