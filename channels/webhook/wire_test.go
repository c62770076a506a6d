package webhook

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/redact"
)

// wireReceiver serves VerifyRequest with a limit of len(specBody), as
// VerifyRequest's doc advises: a refusal closes the connection. It keeps
// the errors it refused with.
type wireReceiver struct {
	mu   sync.Mutex
	errs []error
}

func (rc *wireReceiver) handler(v *Verifier) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, err := v.VerifyRequest(r, int64(len(specBody)))
		if err != nil {
			rc.mu.Lock()
			rc.errs = append(rc.errs, err)
			rc.mu.Unlock()
			w.Header().Set("Connection", "close")
			http.Error(w, err.Error(), RefusalStatus(err))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// noSecret checks that no error the receiver refused with holds the
// secret, with or without its prefix.
func (rc *wireReceiver) noSecret(t *testing.T) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, err := range rc.errs {
		assert.NotContains(t, err.Error(), strings.TrimPrefix(specSecret, "whsec_"))
	}
}

// VerifyRequest over a real connection, as senders send: a body exactly
// at the limit is taken, whether its length is declared or chunked; one
// over it is refused 413, from its Content-Length before the body comes
// (and without "100 Continue" to a sender that waits for it), or as read
// when chunked; a Content-Length that lies is refused for what was read:
// smaller than the body, the body read is cut there and its signature
// does not match (401); larger, the body ends early (408, which the sender
// retries). The signature is checked over exactly the bytes read. No
// refusal says the secret.
func TestVerifyRequestOnTheWire(t *testing.T) {
	rc := &wireReceiver{}
	srv := httptest.NewServer(rc.handler(specVerifier(t, redact.NewSecret(specSecret))))
	defer srv.Close()
	head := "POST /hook HTTP/1.1\r\nHost: receiver\r\n" + headerText(specHeader(specSignature))
	chunked := func(body string) string {
		return fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(body), body)
	}
	for _, tt := range []struct {
		name    string
		request string // after the head
		want    int
	}{
		{"Content-Length at the limit", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(specBody), specBody), http.StatusNoContent},
		{"chunked at the limit", chunked(specBody), http.StatusNoContent},
		{"chunked over the limit", chunked(specBody + " "), http.StatusRequestEntityTooLarge},
		// No body is sent: the answer comes from the header alone.
		{"Content-Length over the limit", fmt.Sprintf("Content-Length: %d\r\n\r\n", len(specBody)+1), http.StatusRequestEntityTooLarge},
		{"Content-Length over the limit, 100-continue", fmt.Sprintf("Expect: 100-continue\r\nContent-Length: %d\r\n\r\n", 1<<30), http.StatusRequestEntityTooLarge},
		{"Content-Length smaller than the body", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(specBody)-1, specBody), http.StatusUnauthorized},
		{"Content-Length larger than the body", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(specBody), specBody[1:]), http.StatusRequestTimeout},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second))) // a guard: fail rather than hang
			_, err = io.WriteString(conn, head+tt.request)
			require.NoError(t, err)
			if tt.want == http.StatusRequestTimeout {
				require.NoError(t, conn.(*net.TCPConn).CloseWrite()) // the body ends here
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.want, resp.StatusCode)
		})
	}
	rc.noSecret(t)
}

// Over HTTP/2, where a body's length may be unknown (r.ContentLength -1):
// at the limit it is taken; over it, refused 413, whether its length was
// declared or not.
func TestVerifyRequestHTTP2(t *testing.T) {
	rc := &wireReceiver{}
	srv := httptest.NewUnstartedServer(rc.handler(specVerifier(t, redact.NewSecret(specSecret))))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	client := srv.Client()
	for _, tt := range []struct {
		name     string
		body     string
		declared bool
		want     int
	}{
		{"at the limit, declared", specBody, true, http.StatusNoContent},
		{"at the limit, unknown length", specBody, false, http.StatusNoContent},
		{"over the limit, declared", specBody + " ", true, http.StatusRequestEntityTooLarge},
		{"over the limit, unknown length", specBody + " ", false, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tt.body)
			if !tt.declared {
				body = io.MultiReader(body) // a length net/http cannot tell
			}
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/hook", body)
			require.NoError(t, err)
			req.Header = specHeader(specSignature)
			resp, err := client.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, 2, resp.ProtoMajor)
			assert.Equal(t, tt.want, resp.StatusCode)
		})
	}
	rc.noSecret(t)
}

// headerText writes h as it goes on the wire.
func headerText(h http.Header) string {
	var b bytes.Buffer
	_ = h.Write(&b)
	return b.String()
}
