package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// sendWebhook posts msg to the incoming webhook: one attempt, judged by
// the HTTP status alone (a webhook answers "ok" or an error word).
func (c *Channel) sendWebhook(ctx context.Context, msg message) (broadcast.Receipt, error) {
	req := msg.post("")
	body, err := httpx.JSONBody(req)
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("slack: webhook: encode: %w", err))
	}
	hreq, err := httpx.NewRequest(ctx, http.MethodPost, c.s.webhook, body, "application/json; charset=utf-8")
	if err != nil {
		return broadcast.Receipt{}, broadcast.Permanent(fmt.Errorf("slack: webhook: %w", err))
	}
	// A 2xx is a post, whatever becomes of its body: reading on would only
	// risk a duplicate.
	resp, err := httpx.DoStatus(c.s.client.Client, hreq, 0, 0, c.s.rd)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return broadcast.Receipt{}, c.s.rd.Error(fmt.Errorf("slack: webhook: %w", err))
	}
	if err := httpx.Classify(resp); err != nil {
		return broadcast.Receipt{}, c.s.rd.Error(fmt.Errorf("slack: webhook: %w", err))
	}
	return broadcast.Receipt{Channel: c.name, Time: c.s.now().UTC()}, nil
}
