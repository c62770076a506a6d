package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Bounds of the look-up of a status whose post the instance answered
// with 500.
const (
	// findLimit is how many of the account's newest statuses are read:
	// one page, Mastodon's largest.
	findLimit = 40
	// findSkew is how much earlier than the update's Time its status may
	// have been created: the Broadcaster accepts a Time a little ahead of
	// its clock, and the instance's clock may differ from it.
	findSkew = 10 * time.Minute
)

// opFind looks for the status an earlier attempt posted.
const opFind = "find the status posted"

// maybePosted reports an error of a post that an earlier attempt's status
// may explain: the instance's own 500. Some Mastodon releases find the
// status an Idempotency-Key already made, then fail on it with 500
// (PostStatusService, mastodon#40399), to every repeat of the key.
func maybePosted(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusInternalServerError && !errors.Is(err, errNotInstance)
}

// afterServerError judges failed, the instance's 500 to the post of text
// (a reply to replyTo unless it is empty) for an update written at since:
// the status an earlier attempt posted under the same Idempotency-Key,
// when the account's newest statuses hold it (findPosted), else failed,
// as it was, with the reason the statuses could not be read, if any.
func (c *Channel) afterServerError(ctx context.Context, text, replyTo string, since time.Time, failed error) (status, error) {
	st, ok, err := c.findPosted(ctx, text, replyTo, since)
	switch {
	case ok:
		return st, nil
	case errors.Is(err, errScope):
		return status{}, fmt.Errorf("%w (the token may not read the account's statuses, which needs read:accounts and "+
			"read:statuses, to find one posted by an earlier attempt)", failed)
	case err != nil:
		return status{}, fmt.Errorf("%w (the account's statuses could not be read to find one posted by an earlier attempt: %s)",
			failed, err.Error())
	}
	return status{}, failed
}

// postedBefore looks, before a retry posts text (a reply to replyTo unless
// it is empty) on a server that ignores Idempotency-Key (GoToSocial), for
// the status an earlier attempt of the update written at since posted,
// its answer lost (findPosted). found is false when there is none, or when
// the token may not read the account's statuses: the retry then posts, as
// it would on a server without the look-up. A look-up that fails
// otherwise is the retry's error, with its marks: posting then could post
// the update twice.
func (c *Channel) postedBefore(ctx context.Context, text, replyTo string, since time.Time) (st status, found bool, err error) {
	st, found, err = c.findPosted(ctx, text, replyTo, since)
	switch {
	case found:
		return st, true, nil
	case err == nil, errors.Is(err, errScope):
		return status{}, false, nil
	}
	return status{}, false, fmt.Errorf("mastodon: %s: the instance ignores Idempotency-Key, and an earlier attempt's status "+
		"could not be looked for: %w", opPost, err)
}

// findPosted looks for the status of text, a reply to replyTo unless that
// is empty, among the account's findLimit newest statuses (GET
// /api/v1/accounts/:id/statuses), created no earlier than since less
// findSkew (any time, when since is zero). The reply tells an earlier
// attempt's status from another update's of the same text, which replies
// to an older status. It needs read:statuses and read:accounts; without
// them, err says so.
func (c *Channel) findPosted(ctx context.Context, text, replyTo string, since time.Time) (found status, ok bool, err error) {
	id, err := c.accountID(ctx)
	if err != nil {
		return status{}, false, err
	}
	path := "/api/v1/accounts/" + url.PathEscape(id) + "/statuses?exclude_reblogs=true&limit=" + strconv.Itoa(findLimit)
	resp, err := c.exchange(ctx, opFind, http.MethodGet, path, nil, "")
	if err != nil {
		return status{}, false, err
	}
	var list []struct {
		ID          string `json:"id"`
		URL         string `json:"url"`
		CreatedAt   string `json:"created_at"`
		InReplyToID string `json:"in_reply_to_id"`
		Content     string `json:"content"`
	}
	if json.Unmarshal(resp.Body, &list) != nil {
		return status{}, false, fmt.Errorf("mastodon: %s: the instance answered with something other than statuses", opFind)
	}
	start := since.Add(-findSkew)
	want := comparable(text)
	for _, p := range list {
		if p.ID == "" || p.InReplyToID != replyTo || c.echoes(status{ID: p.ID, URL: p.URL}) {
			continue
		}
		if created, err := time.Parse(time.RFC3339, p.CreatedAt); err == nil && !since.IsZero() && created.Before(start) {
			continue // another update's, of the same text, long before
		}
		if comparable(plainContent(p.Content)) == want {
			return status{ID: p.ID, URL: p.URL}, true, nil
		}
	}
	return status{}, false, nil
}

// accountID returns the id of the account the token acts for (GET
// /api/v1/accounts/verify_credentials), read once per Channel.
func (c *Channel) accountID(ctx context.Context) (string, error) {
	c.s.mu.Lock()
	id := c.s.account
	c.s.mu.Unlock()
	if id != "" {
		return id, nil
	}
	resp, err := c.exchange(ctx, opFind, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, "")
	if err != nil {
		return "", err
	}
	var acct struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(resp.Body, &acct) != nil || acct.ID == "" {
		return "", fmt.Errorf("mastodon: %s: the instance answered with something other than an account", opFind)
	}
	c.s.mu.Lock()
	c.s.account = acct.ID
	c.s.mu.Unlock()
	return acct.ID, nil
}

var (
	lineBreak = regexp.MustCompile(`(?i)<br\s*/?>`)
	paraEnd   = regexp.MustCompile(`(?i)</p>`)
	htmlTag   = regexp.MustCompile(`<[^>]*>`)
)

// plainContent returns the text of a status's content, the HTML Mastodon
// makes of plain text: lines joined by <br />, paragraphs in <p>, each
// link an anchor whose spans hold the URL as written.
func plainContent(content string) string {
	s := lineBreak.ReplaceAllString(content, "\n")
	s = paraEnd.ReplaceAllString(s, "\n\n")
	return html.UnescapeString(htmlTag.ReplaceAllString(s, ""))
}

// comparable returns s as texts are compared: NFC-normalised, with every
// run of white space one space, none at either end.
func comparable(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}
