package channeltest_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/channeltest"
)

// httpsChat is the chat as it talks to its platform over HTTPS, with its
// own client: what Harness.Untrusted makes. It tries each call tries times
// and marks a certificate that does not verify Permanent when permanent is
// set, as the reference does (one try, permanent) and broken ones do not.
type httpsChat struct {
	name, url, token string
	client           *http.Client
	tries            int
	permanent        bool
}

// untrustedChat is Harness.Untrusted for an httpsChat.
func untrustedChat(tries int, permanent bool) func(t *testing.T, serverURL string) broadcast.Channel {
	return func(t *testing.T, serverURL string) broadcast.Channel {
		c := &httpsChat{name: "ops-chat", url: serverURL, token: chatToken, client: &http.Client{Transport: &http.Transport{}},
			tries: tries, permanent: permanent}
		t.Cleanup(c.client.CloseIdleConnections)
		return c
	}
}

func (c *httpsChat) Name() string { return c.name }

func (c *httpsChat) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	body := strings.NewReader(m.Update.Title)
	if err := c.do(ctx, http.MethodPost, "/post", body); err != nil {
		return broadcast.Receipt{}, fmt.Errorf("chat: post: %w", err)
	}
	return broadcast.Receipt{ID: "msg-1"}, nil
}

func (c *httpsChat) Check(ctx context.Context) error {
	if err := c.do(ctx, http.MethodGet, "/auth", nil); err != nil {
		return fmt.Errorf("chat: check: %w", err)
	}
	return nil
}

// do makes one request, c.tries times at most.
func (c *httpsChat) do(ctx context.Context, method, path string, body *strings.Reader) error {
	var err error
	for range c.tries {
		var req *http.Request
		if body != nil {
			_, _ = body.Seek(0, 0)
			req, err = http.NewRequestWithContext(ctx, method, c.url+path, body)
		} else {
			req, err = http.NewRequestWithContext(ctx, method, c.url+path, nil)
		}
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		var resp *http.Response
		if resp, err = c.client.Do(req); err == nil {
			_ = resp.Body.Close()
			return nil
		}
	}
	if c.permanent && errors.As(err, new(*tls.CertificateVerificationError)) {
		return broadcast.Permanent(err)
	}
	return err
}

// untrusting gives the chat harness an Untrusted that tries each call
// tries times and marks a certificate that does not verify permanent or
// not.
func untrusting(tries int, permanent bool) channeltest.Harness {
	h := chatHarness()
	h.Untrusted = untrustedChat(tries, permanent)
	return h
}
