package channeltest_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// httpsChat is the chat as it talks to its platform over HTTPS, with its
// own client: what Harness.Untrusted makes. It marks a certificate that
// does not verify Permanent when permanent is set, as the reference does
// and a broken one does not. With noCheck, its Check is not supported, as
// a platform's that cannot be checked without posting.
type httpsChat struct {
	name, url, token string
	client           *http.Client
	permanent        bool
	noCheck          bool
}

// untrustedChat is Harness.Untrusted for an httpsChat.
func untrustedChat(permanent bool) func(t *testing.T, serverURL string) broadcast.Channel {
	return func(t *testing.T, serverURL string) broadcast.Channel {
		c := &httpsChat{name: "ops-chat", url: serverURL, token: chatToken,
			client: &http.Client{Transport: &http.Transport{}}, permanent: permanent}
		t.Cleanup(c.client.CloseIdleConnections)
		return c
	}
}

func (c *httpsChat) Name() string { return c.name }

func (c *httpsChat) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if err := c.do(ctx, http.MethodPost, "/post", strings.NewReader(m.Update.Title)); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("chat: post: %w", err)
	}
	return broadcast.Receipt{ID: "msg-1"}, nil
}

func (c *httpsChat) Check(ctx context.Context) error {
	if c.noCheck {
		return fmt.Errorf("chat: check: %w", broadcast.ErrNotSupported)
	}
	if err := c.do(ctx, http.MethodGet, "/auth", nil); err != nil {
		return fmt.Errorf("chat: check: %w", err)
	}
	return nil
}

// do makes one request with the token.
func (c *httpsChat) do(ctx context.Context, method, path string, body io.Reader) error {
	req, err := http.NewRequestWithContext(ctx, method, c.url+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.client.Do(req)
	if err != nil {
		if c.permanent && errors.As(err, new(*tls.CertificateVerificationError)) {
			return broadcast.Permanent(err)
		}
		return err
	}
	return resp.Body.Close()
}

// uncheckedUntrusted is Harness.Untrusted for an httpsChat whose Check is
// not supported.
func uncheckedUntrusted(t *testing.T, serverURL string) broadcast.Channel {
	c := untrustedChat(true)(t, serverURL).(*httpsChat)
	c.noCheck = true
	return c
}

// untrusting gives the chat harness an Untrusted whose channel takes a
// certificate that does not verify for a transient failure.
func untrusting() channeltest.Harness {
	h := chatHarness()
	h.Untrusted = untrustedChat(false)
	return h
}
