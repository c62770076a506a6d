package slack

import (
	"context"
	"fmt"
	"net/http"
	"strings"

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
	// A 2xx is a post, whatever becomes of its body once it breaks off:
	// retrying would only risk a duplicate.
	resp, err := httpx.DoStatus(c.s.client, hreq, 0, 0, c.s.rd)
	if err != nil {
		return broadcast.Receipt{}, fmt.Errorf("slack: webhook: %w", err) // "post: …", redacted by httpx
	}
	if err := httpx.Classify(resp); err != nil {
		if _, foreign := httpx.Foreign(resp, hookError(resp.Body)); foreign {
			err = fmt.Errorf("%w; not Slack's answer (check Config.WebhookURL)", err)
		} else if hookRefusesURL(resp.Body) {
			err = httpx.CredentialRefused(err, "Config.WebhookURL")
		}
		return broadcast.Receipt{}, c.s.rd.Error(fmt.Errorf("slack: webhook: %w", err))
	}
	if !resp.Truncated && strings.TrimSpace(string(resp.Body)) != "ok" {
		// Slack answers a post with "ok": a whole answer without it is
		// another server's page (a captive portal's), no post of Slack's.
		what := fmt.Sprintf("http status %d", resp.Status)
		// httpx leaves a 2xx as it came: redacted before the cut, no part
		// of the URL's secret stays at the cut.
		if sn := httpx.BodySnippet(c.s.rd, resp); sn != "" {
			what += ": " + sn
		}
		err := broadcast.Permanent(fmt.Errorf("%s; not Slack's answer (check Config.WebhookURL)", what))
		if strings.HasPrefix(strings.TrimSpace(string(resp.Body)), "ok") {
			// Slack's "ok" and more (a relay's echo of the request after
			// it): the post may have been made, and a later attempt
			// looks for it.
			err = broadcast.Uncertain(err)
		}
		return broadcast.Receipt{}, c.s.rd.Error(fmt.Errorf("slack: webhook: %w", err))
	}
	return broadcast.Receipt{Channel: c.name, Time: c.s.now().UTC()}, nil
}

// hookError reports whether body starts with one of the error words an
// incoming webhook refuses with, in plain text: snake_case, as
// "no_service", "invalid_token" or "channel_not_found". Without one, a
// redirect or a 401, 403, 404 or 405 is another server's answer
// (httpx.Foreign): a proxy's page, a URL with a wrong host or path.
func hookError(body []byte) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(string(body)), ":")
	word = strings.TrimSpace(word)
	if !strings.Contains(word, "_") || word[0] == '_' || word[len(word)-1] == '_' {
		return false
	}
	return strings.Trim(word, "abcdefghijklmnopqrstuvwxyz_") == ""
}

// hookRefusesURL reports whether body, an incoming webhook's refusal,
// refuses the webhook URL itself: no_service (the webhook is disabled,
// removed or invalid) or invalid_token (its token is not valid), as
// https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks/#handling-errors
// lists them. Not channel_not_found, channel_is_archived or
// action_prohibited: the webhook's channel or an admin's restriction.
func hookRefusesURL(body []byte) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(string(body)), ":")
	switch strings.TrimSpace(word) {
	case "no_service", "invalid_token":
		return true
	}
	return false
}
