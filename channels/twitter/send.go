package twitter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
	"github.com/outagecast/outagecast/redact"
)

// statusURL is the link of a post; the i/web form needs no user name.
const statusURL = "https://x.com/i/web/status/"

// Receipt.Meta keys.
const (
	// metaThread is the post a receipt without ID (a duplicate) replied
	// to, so that the next update can reply there.
	metaThread = "in_reply_to"
	// metaReplyDropped is the post X refused to reply to (deleted or not
	// visible), so that the update was posted without the reply.
	metaReplyDropped = "reply_dropped"
	// metaLookupError is why the look-up of a duplicate's post failed on
	// a retry (see findPost), redacted: the reason its receipt has no ID.
	metaLookupError = "lookup_error"
)

// Waits of a reply X refuses as to a deleted post (see Send).
const (
	// replyVisibleAfter is how long after it was made X may not yet show
	// a post to replies: a reply to a younger post it refuses is retried.
	// It is short, so that the few retries it takes fit the Broadcaster's
	// default attempts: a post deleted that soon is then given up on.
	replyVisibleAfter = 15 * time.Second
	// replyVisibleWait is the longest wait before that retry.
	replyVisibleWait = 5 * time.Second
)

// Send posts m.Update, as a reply to the incident's latest post
// (m.Thread.Last) when there is one. It makes one attempt; when X refuses
// the reply because that post is gone, it posts the update without it. See
// the package documentation for its errors and for the receipt of a
// duplicate on a retry.
func (c *Channel) Send(ctx context.Context, m broadcast.Message) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	text, err := c.text(m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	reply, dropped := replyTo(m.Thread.Last), ""
	p, err := c.post(ctx, text, reply)
	if reply != "" && errors.Is(err, errReplyGone) {
		if wait, young := c.notYetVisible(m.Thread.Last, reply); young {
			return broadcast.Receipt{}, notVisibleYet(err, wait)
		}
		// Deleted outside outagecast: the update matters more than the thread.
		reply, dropped = "", reply
		p, err = c.post(ctx, text, "")
	}
	if errors.Is(err, ErrDuplicate) {
		var why string
		p, why, err = c.duplicate(ctx, m, text, reply, err)
		if err == nil && p.ID == "" {
			return c.receipt("", withMeta(map[string]string{"duplicate": "true"}, metaThread, reply,
				metaReplyDropped, dropped, metaLookupError, why)), nil
		}
	}
	if err != nil {
		return broadcast.Receipt{}, err
	}
	return c.receipt(p.ID, withMeta(nil, "text", p.Text, metaReplyDropped, dropped)), nil
}

// notYetVisible reports whether reply, the post X refused a reply to as
// deleted or not visible, is last, made less than replyVisibleAfter ago
// (see madeAt; or as much ahead of this clock, another's): X may not show
// it to replies yet. wait is how long to wait before the
// retry: replyVisibleWait, or less when that young age ends sooner.
func (c *Channel) notYetVisible(last broadcast.Receipt, reply string) (wait time.Duration, young bool) {
	if last.ID != reply {
		return 0, false
	}
	// Young by either clock: X's (the id's) or the instance's that posted
	// it (Receipt.Time), either of which may be off this one's.
	for _, made := range []time.Time{madeAt(last), last.Time} {
		// A post from the future was made by a clock ahead of this one's.
		if age := c.now().Sub(made); !made.IsZero() && age > -replyVisibleAfter && age < replyVisibleAfter {
			return min(replyVisibleWait, replyVisibleAfter-age), true
		}
	}
	return 0, false
}

// snowflakeEpoch is the Unix time, in milliseconds, X's post ids count
// from.
const snowflakeEpoch = 1288834974657

// madeAt is when the post of r was made: as its id says (X's ids are
// snowflakes, the milliseconds since snowflakeEpoch above their low 22
// bits), by X's clock, whichever instance posted it; else r.Time. Zero
// when neither says.
func madeAt(r broadcast.Receipt) time.Time {
	if id, err := strconv.ParseInt(r.ID, 10, 64); err == nil && id>>22 > 0 {
		return time.UnixMilli(id>>22 + snowflakeEpoch)
	}
	return r.Time
}

// notVisibleYet returns the error of a reply X refused, err, to a post it
// may not show yet: transient, retried after wait, so that the update
// stays in the thread.
func notVisibleYet(err error, wait time.Duration) error {
	const msg = "twitter: post: X does not show the post replied to yet"
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return broadcast.RetryAfter(errors.New(msg), wait)
	}
	return broadcast.RetryAfter(fmt.Errorf("%s: %w", msg, apiErr), wait)
}

// duplicate judges dup, X's refusal of text (a reply to reply unless that
// is empty) as a duplicate: it is the post of an earlier attempt, possibly
// of a process that ended before the receipt was saved, when the
// account's newest posts have it (see findPost). Else, on a retry, the
// post is taken as delivered with its id unknown, and on a first attempt
// dup stands. A look-up that fails changes neither: it adds its reason to
// dup's text, never its marks, so that it cannot make dup a retry; on a
// retry, the reason is why, redacted, for the receipt.
func (c *Channel) duplicate(ctx context.Context, m broadcast.Message, text, reply string, dup error) (post, string, error) {
	p, ok, err := c.findPost(ctx, text, reply, m.Update.Time)
	switch {
	case ok:
		return p, "", nil
	case m.Attempt > 1 && err != nil:
		return post{}, c.redactor.String(err.Error()), nil
	case m.Attempt > 1:
		return post{}, "", nil
	case err != nil:
		return post{}, "", fmt.Errorf("%w (the account's posts could not be read to find it: %s)", dup, err.Error())
	}
	return post{}, "", dup
}

// post creates one post of text, a reply to the post replyTo unless it is
// empty.
func (c *Channel) post(ctx context.Context, text, replyTo string) (post, error) {
	body, err := postBody(text, replyTo)
	if err != nil {
		return post{}, fmt.Errorf("twitter: post: %w", err)
	}
	return c.create(ctx, "post", body, nil)
}

// create sends body to POST /2/tweets, for op ("post" or "edit"), and
// reads the post X made. judge, when not nil, judges a refusal before it
// is returned: it is given the classified error (or the Permanent error
// of a 2xx errors list that refuses for good) and the answer.
func (c *Channel) create(ctx context.Context, op string, body []byte,
	judge func(err error, r *httpx.Response, s scrubber) error) (post, error) {
	if judge == nil {
		judge = func(err error, _ *httpx.Response, _ scrubber) error { return err }
	}
	resp, s, err := c.exchange(ctx, op, http.MethodPost, "/2/tweets", body, 0)
	if err != nil {
		return post{}, err
	}
	if err := c.classify(op, resp, s); err != nil {
		if resp.Status >= 200 && resp.Status <= 299 && !httpx.NotJSON(resp) {
			// A success refused (a relay's echo of the request): the
			// post may have been made, and a later attempt looks for it.
			// A page that is not JSON (a captive portal's) shows that
			// nothing was posted.
			err = broadcast.Uncertain(err)
		}
		return post{}, judge(err, resp, s)
	}
	p, err := parsePost(resp.Body)
	if err != nil {
		if _, refused := answerErrors(op, resp, s); refused != nil {
			return post{}, judge(refused, resp, s)
		}
		return post{}, judge(readError(op, resp, withMessage(err, resp.Body, s), s), resp, s)
	}
	return p, nil
}

// Retract deletes the post prev (DELETE /2/tweets/:id). A post already
// gone counts as deleted; so does 204 No Content, which X's reference
// lists as the success of a DELETE. A receipt without a post id (a duplicate's, see
// the package documentation) is a Permanent error: X cannot be told which
// post to delete.
func (c *Channel) Retract(ctx context.Context, prev broadcast.Receipt) error {
	if !c.made() {
		return errNotMade
	}
	id, err := postID("delete", prev)
	if err != nil {
		return err
	}
	resp, s, err := c.exchange(ctx, "delete", http.MethodDelete, "/2/tweets/"+id, nil, 0)
	if err != nil {
		return err
	}
	err = c.classify("delete", resp, s)
	if resp.Status == http.StatusNotFound && !errors.Is(err, errNotXAPI) {
		if !v2Problem(resp.Body) {
			// X's answer to a route it does not know: the post may be up.
			return broadcast.Permanent(fmt.Errorf("twitter: delete: %w: %w", errNotXAPI, apiError(resp, s)))
		}
		return nil // already gone
	}
	if err != nil {
		return err
	}
	if resp.Status == http.StatusNoContent {
		return nil // X's reference lists 204, without a body, as a DELETE's success
	}
	// {"deleted":false} is a post already gone: deleted either way,
	// unless an errors list beside it refuses the deletion for good.
	deleted, err := parseDeleted(resp.Body)
	if err != nil || !deleted {
		if gone, refused := answerErrors("delete", resp, s); gone || refused != nil {
			return refused
		}
	}
	if err != nil {
		return readError("delete", resp, err, s)
	}
	return nil
}

// postID returns the id of the post of receipt r, checked for a URL path
// and a JSON body; op names the request in the error.
func postID(op string, r broadcast.Receipt) (string, error) {
	switch {
	case r.ID == "" && r.Meta["duplicate"] == "true":
		return "", broadcast.Permanent(fmt.Errorf("twitter: %s: the post's id is unknown: "+
			"X refused a retry of it as a duplicate and did not say which post it was; %s it on x.com", op, op))
	case r.ID == "":
		return "", broadcast.Permanent(fmt.Errorf("twitter: %s: the receipt has no post id", op))
	case strings.Trim(r.ID, "0123456789") != "":
		return "", broadcast.Permanent(fmt.Errorf("twitter: %s: post id %q: not a number", op, r.ID))
	}
	return r.ID, nil
}

// exchange sends one request for op to path under the base URL, with the
// credentials, and returns the response, its body read up to limit bytes
// (0: httpx.DefaultBodyLimit), and the scrubber of the attempt's errors.
// Its errors are final: prefixed, marked and scrubbed.
func (c *Channel) exchange(ctx context.Context, op, method, path string, body []byte, limit int64) (*httpx.Response, scrubber, error) {
	resp, s, err := c.send(ctx, op, method, path, body, limit, nil)
	if err == nil && s.token != nil && refusedToken(resp) && c.reuse.forget(s.token) {
		// The source may hold another token by now (see Config.TokenSource).
		// When it cannot give one, its reason is the error, and decides
		// the retry: the next attempt asks it again. X's own 401 refused
		// the token all the same: the error names the field, as
		// classify's does.
		refused := fmt.Sprintf("twitter: %s: X rejected the credentials (%v), then getting another OAuth 2.0 token failed", op, apiError(resp, s))
		t, terr := c.tokenFor(ctx, refused, s)
		if terr != nil {
			return nil, s, httpx.CredentialRefused(terr, c.credentialFields())
		}
		if t.AccessToken != s.token.AccessToken {
			return c.send(ctx, op, method, path, body, limit, t)
		}
	}
	return resp, s, err
}

// send makes one request of exchange, with the OAuth 2.0 token t, or the
// attempt's when t is nil.
func (c *Channel) send(ctx context.Context, op, method, path string, body []byte, limit int64, t *oauth2.Token) (*httpx.Response, scrubber, error) {
	s := scrubber{redactor: c.redactor}
	contentType := ""
	if body != nil {
		contentType = "application/json"
	}
	req, err := httpx.NewRequest(ctx, method, c.baseURL+path, body, contentType)
	if err != nil {
		return nil, s, broadcast.Permanent(fmt.Errorf("twitter: %s: %w", op, err))
	}
	req.Header.Set("Accept", "application/json")
	// The wait comes first: a hold lasts up to a day, an OAuth 2.0 token
	// two hours, and a request the hold fails needs none.
	key := limitKey(method, path)
	r, err := c.reserveLimits(ctx, key)
	if err != nil {
		return nil, s, fmt.Errorf("twitter: %s: %w", op, err)
	}
	// Deferred, so that a request that fails without an answer (or a
	// panic of the transport) gives its reservation back too; once the
	// answer's noteLimits gave it back, it does nothing.
	defer r.Release()
	if c.tokens != nil {
		if t == nil {
			if t, err = c.token(ctx, op, s); err != nil {
				return nil, s, err
			}
		}
		t.SetAuthHeader(req)
		s.token = t
	}
	resp, err := httpx.Do(c.client, req, limit, s.redactor)
	if err != nil {
		return nil, s, s.error(fmt.Errorf("twitter: %s: %w", op, err))
	}
	c.noteLimits(r, key, resp.Header)
	return resp, s, nil
}

// refusedToken reports X's own 401 (its problem JSON, not a proxy's
// page): the OAuth 2.0 token sent is expired or revoked.
func refusedToken(r *httpx.Response) bool {
	_, own := parseProblem(r.Body)
	return r.Status == http.StatusUnauthorized && own
}

// token returns the OAuth 2.0 token of one attempt, within ctx: a token
// endpoint that hangs holds the attempt no longer than ctx, or than the
// channel until its Close (see httpx.TokenCall and httpx.Client.Wait). A refresh the token endpoint refused is judged by its
// status as httpx.Classify judges X's: Permanent when retrying will not
// help (400 invalid_grant), transient with the endpoint's Retry-After when
// it may (429, 408, 5xx).
func (c *Channel) token(ctx context.Context, op string, s scrubber) (*oauth2.Token, error) {
	return c.tokenFor(ctx, "twitter: "+op+": get OAuth 2.0 token", s)
}

// tokenFor is token, its errors starting with prefix.
func (c *Channel) tokenFor(ctx context.Context, prefix string, s scrubber) (*oauth2.Token, error) {
	var t *oauth2.Token
	err := c.client.Wait(ctx, func(ctx context.Context) (err error) {
		t, err = c.tokens.Token(ctx)
		return err
	})
	if err != nil {
		err, permanent := httpx.TokenError(prefix, err)
		if permanent {
			err = broadcast.Permanent(err)
		}
		return nil, s.error(err)
	}
	if t == nil || t.AccessToken == "" {
		return nil, broadcast.Permanent(s.error(fmt.Errorf("%s: empty access token", prefix)))
	}
	return t, nil
}

// scrubber removes the credentials from the errors of one attempt: the
// channel's, and the OAuth 2.0 token the attempt sent. It is the one place
// text from X or a transport enters the channel's errors, and it runs on
// the error path only: the token's Redactor is built when an error needs it.
type scrubber struct {
	redactor *redact.Redactor
	token    *oauth2.Token
}

func (s scrubber) r() *redact.Redactor {
	if s.token == nil {
		return s.redactor
	}
	return s.redactor.With(redact.NewSecret(s.token.AccessToken), redact.NewSecret(s.token.RefreshToken))
}

// error returns err with every credential redacted. The result keeps the
// Permanent and RetryAfter marks and what errors.Is matches.
func (s scrubber) error(err error) error { return s.r().Error(err) }

// cleaner returns a function that gives text from X with every credential
// redacted, bounded and printable (see httpx.Snippet). Redacting first
// means that the bound cannot cut a secret in two.
func (s scrubber) cleaner() func(text string) string {
	r := s.r()
	return func(text string) string { return httpx.RedactedSnippet(r, text) }
}

// receipt returns the receipt of a post with id ("" when unknown).
func (c *Channel) receipt(id string, meta map[string]string) broadcast.Receipt {
	r := broadcast.Receipt{Channel: c.name, ID: id, Time: c.now().UTC().Round(0), Meta: meta}
	if id != "" {
		r.URL = statusURL + url.PathEscape(id)
	}
	return r
}

// withMeta adds the non-empty values of key, value pairs to meta.
func withMeta(meta map[string]string, kv ...string) map[string]string {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if meta == nil {
			meta = map[string]string{}
		}
		meta[kv[i]] = kv[i+1]
	}
	return meta
}

// replyTo returns the post an update replies to: the incident's latest
// post, or when its id is unknown (a duplicate), the post that one replied
// to.
func replyTo(last broadcast.Receipt) string {
	if last.ID != "" {
		return last.ID
	}
	return last.Meta[metaThread]
}
