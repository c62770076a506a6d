package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sentTransport answers 200 and keeps the request it was given.
type sentTransport struct{ got *http.Request }

func (s *sentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s.got = req
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: 2,
		Body: io.NopCloser(strings.NewReader("ok")), Request: req}, nil
}

// DoStatusBuilt sends the very request build made, under a context that
// the caller's ends, rather than a copy of it made to carry its own
// context, as DoStatusTimeout must: a copy is a few hundred bytes for each
// request of a fan-out.
func TestDoStatusBuiltSendsTheRequestBuilt(t *testing.T) {
	tr := &sentTransport{}
	client := &http.Client{Transport: tr}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var built *http.Request
	resp, err := DoStatusBuilt(Client{Client: client}, ctx, func(bound context.Context) (*http.Request, error) {
		var err error
		built, err = NewRequest(bound, http.MethodPost, "http://example.com/hook", []byte(`{}`), "")
		return built, err
	}, 0, 0, testDeadline, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.Status)
	assert.Equal(t, "ok", string(resp.Body))
	assert.Same(t, built, tr.got, "the request sent")
	cancel()
	assert.Error(t, built.Context().Err(), "the caller's context ends the request's")

	req, err := NewRequest(context.Background(), http.MethodPost, "http://example.com/hook", nil, "")
	require.NoError(t, err)
	_, err = DoStatusTimeout(Client{Client: client}, req, 0, 0, testDeadline, nil)
	require.NoError(t, err)
	assert.NotSame(t, req, tr.got, "DoStatusTimeout sends a copy, under its own context")

	tr.got = nil
	refused := errors.New("no request")
	_, err = DoStatusBuilt(Client{Client: client}, context.Background(), func(context.Context) (*http.Request, error) {
		return nil, refused
	}, 0, 0, testDeadline, nil)
	assert.Same(t, refused, err, "build's error, as it is")
	assert.Nil(t, tr.got, "nothing sent")
}
