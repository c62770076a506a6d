package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/holdtest"
)

// Over HTTP/2, net/http's Transport says GotConn before a request takes a
// stream of the connection, and with HTTP2Config.StrictMaxConcurrentRequests
// a request waits there while the server's streams
// (SETTINGS_MAX_CONCURRENT_STREAMS) are all taken. Cut by Close while it
// waits, it was never written, and fails permanent, not Uncertain; the
// one before it, which the server holds, is Uncertain.
func TestCloseWaitingForHTTP2StreamNotUncertain(t *testing.T) {
	h := holdtest.New(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(http.ResponseWriter, *http.Request) {})
	mux.Handle("/hold", h)
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Config.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: 1}
	srv.Start()
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: protocols, HTTP2: &http.HTTP2Config{StrictMaxConcurrentRequests: true}}
	t.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
	})
	c := ChannelClient(&http.Client{Transport: tr}, ClientOptions{Closed: errTestClosed})

	// An answered request first: the client has read the server's
	// SETTINGS, sent before the answer, and knows it may open one stream.
	req, err := NewRequest(context.Background(), http.MethodPost, srv.URL+"/ok", []byte(`{}`), "application/json")
	require.NoError(t, err)
	_, err = DoStatus(c, req, 0, 0, nil)
	require.NoError(t, err)

	send := func(ctx context.Context) <-chan error {
		done := make(chan error, 1)
		go func() {
			req, err := NewRequest(ctx, http.MethodPost, srv.URL+"/hold", []byte(`{"a":1}`), "application/json")
			if err == nil {
				_, err = DoStatus(c, req, 0, 0, nil)
			}
			done <- err
		}()
		return done
	}
	held := send(context.Background())
	<-h.Arrived() // the one stream is taken
	gotConn := make(chan struct{})
	waiting := send(httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { close(gotConn) },
	}))
	<-gotConn
	require.NoError(t, c.Close())

	err = <-held
	assert.ErrorIs(t, err, errTestClosed)
	assert.Truef(t, broadcast.IsUncertain(err), "IsUncertain(%q): the server has it", err)
	err = <-waiting
	require.Error(t, err)
	assert.ErrorIs(t, err, errTestClosed)
	assert.Truef(t, broadcast.IsPermanent(err), "IsPermanent(%q)", err)
	assert.Falsef(t, broadcast.IsUncertain(err), "IsUncertain(%q): it waited for a stream, nothing written", err)
	assert.Equal(t, 1, h.Got(), "the server got the held request only")
}
