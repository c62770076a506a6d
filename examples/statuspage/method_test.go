package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/examples/internal/serverlimits/serverlimitstest"
)

// A request refused for its method is answered at once and its connection
// closed, without the body it announced: the server would otherwise read
// that body before answering, so that a client that never sends it would
// hold the connection for as long as it likes, and at Ctrl-C make the
// shutdown wait out its grace period and exit 1.
func TestRefusedMethodIsAnsweredWithoutItsBody(t *testing.T) {
	o := options{dir: filepath.Join(t.TempDir(), "site"), base: "http://127.0.0.1:8080/", title: "Example Status"}
	page, err := newPage(o)
	require.NoError(t, err)
	require.NoError(t, prepare(context.Background(), page, o, time.Now()))
	srv := httptest.NewServer(newHandler(page.Root()))
	defer srv.Close()
	serverlimitstest.AnsweredBeforeBody(t, srv.Listener.Addr().String(), "POST / HTTP/1.1\r\nHost: x\r\n", http.StatusMethodNotAllowed)
}

// readFromRecorder is a ResponseRecorder that counts its ReadFrom calls,
// the server's fast path for sending a file.
type readFromRecorder struct {
	*httptest.ResponseRecorder
	calls int
}

func (r *readFromRecorder) ReadFrom(src io.Reader) (int64, error) {
	r.calls++
	return io.Copy(r.ResponseRecorder, src)
}

// The site's files still reach the server's io.ReaderFrom through the
// handler's wrapping, a request with a body included.
func TestHandlerKeepsReadFrom(t *testing.T) {
	o := options{dir: filepath.Join(t.TempDir(), "site"), base: "http://127.0.0.1:8080/", title: "Example Status"}
	page, err := newPage(o)
	require.NoError(t, err)
	require.NoError(t, prepare(context.Background(), page, o, time.Now()))
	rec := &readFromRecorder{ResponseRecorder: httptest.NewRecorder()}
	newHandler(page.Root()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/history.atom", strings.NewReader("x")))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Positive(t, rec.calls, "ReadFrom")
}
