package statuspageio

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// UserAgent is sent with every request.
const UserAgent = "outagecast-statuspageio/1"

// responseLimit bounds the answer the channel reads: an incident comes
// with all its updates, each up to 25,000 characters, and a list with up
// to 100 incidents.
const responseLimit = 8 << 20

// statusRateLimited is the status the API may refuse a request with for
// its rate, besides 429.
const statusRateLimited = 420

// apiError is the API's refusal of a request.
type apiError struct {
	status  int
	message string // the API's "error", or the start of the body
	foreign bool   // not the API's answer (httpx.Foreign)
}

// Error returns the status and the API's message, as in "http status 401
// Unauthorized: Could not authenticate".
func (e *apiError) Error() string {
	s := fmt.Sprintf("http status %d", e.status)
	switch t := http.StatusText(e.status); {
	case e.status == statusRateLimited:
		s += " (rate limited)"
	case t != "":
		s += " " + t
	}
	if e.message != "" {
		s += ": " + e.message
	}
	if e.foreign {
		s += "; not the Statuspage API's answer (check Config.BaseURL)"
	}
	return s
}

// parseError reads a refusal: {"error": "…"}, {"error": ["…", …]}, or
// {"message": "…"} as the API reference's ErrorEntity has it; any other
// body (a proxy's page) is quoted from its start. The API answers every
// refusal so, an unknown route's too: a redirect, or a 401, 403, 404 or 405
// without it, is another server's answer (httpx.Foreign), which says
// nothing of the incident or the key.
func parseError(r *httpx.Response) *apiError {
	e := &apiError{status: r.Status}
	var body struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(r.Body, &body) == nil {
		var one string
		var many []string
		switch {
		case json.Unmarshal(body.Error, &one) == nil && one != "":
			e.message = one
		case json.Unmarshal(body.Error, &many) == nil && len(many) > 0:
			e.message = strings.Join(many, "; ")
		default:
			e.message = body.Message
		}
	}
	why, foreign := httpx.Foreign(r, e.message != "")
	e.foreign = foreign
	if e.message == "" {
		e.message = cmp.Or(why, string(r.Body))
	}
	e.message = httpx.Snippet([]byte(e.message))
	return e
}

// classify marks the answer for the Broadcaster's retries as
// httpx.Classify does, 420 being a rate limit as 429 is, and words it with
// the API's message.
func classify(r *httpx.Response) error {
	marked := httpx.Classify(r, statusRateLimited)
	if marked == nil {
		return nil
	}
	e := parseError(r)
	err := broadcast.MarkAs(e, marked)
	if e.status == http.StatusUnauthorized && !e.foreign {
		// The API's own 401, "Could not authenticate": the key itself
		// (https://developer.statuspage.io/#section/Authentication, and
		// the 401 of every operation of the API reference). Not 403 (the
		// key's user may not reach the page) nor 404 (Config.PageID, an
		// incident not there).
		err = httpx.CredentialRefused(err, "Config.APIKey")
	}
	return err
}

// isStatus reports whether err is the API's refusal with that status;
// another server's answer (a proxy's 404) is not.
func isStatus(err error, status int) bool {
	var e *apiError
	return errors.As(err, &e) && e.status == status && !e.foreign
}

// reply is an answer of the API that says whether it is one: an object
// the API always answers with an id.
type reply interface {
	ours() bool
}

// do makes one request of the page's API, path relative to the page, after
// waiting for the rate limiter: body (nil: none) is sent as JSON, and a
// 2xx answer is decoded into out. A whole 2xx that does not decode, is a
// reply that is not ours, or quotes the API key, is another server's (a
// captive portal's page, a relay echoing the request): Permanent, naming
// Config.BaseURL. Its errors are marked for retries,
// not yet redacted: see fail.
func (c *Channel) do(ctx context.Context, method, path string, body, out any) error {
	var data []byte
	contentType := ""
	if body != nil {
		var err error
		if data, err = httpx.JSONBody(body); err != nil {
			return broadcast.Permanent(&notSentError{fmt.Errorf("encode: %w", err)})
		}
		contentType = "application/json"
	}
	if err := c.s.limiter.Wait(ctx); err != nil {
		if ctx.Err() == nil {
			// The limit lets the request go only after ctx's deadline:
			// the limiter says so in an error of its own.
			err = fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
		}
		return &notSentError{fmt.Errorf("wait for the rate limit: %w", err)}
	}
	req, err := httpx.NewRequest(ctx, method, c.s.page+path, data, contentType)
	if err != nil {
		return broadcast.Permanent(&notSentError{err})
	}
	req.Header.Set("Authorization", "OAuth "+c.s.key.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	resp, err := httpx.Do(c.s.client, req, responseLimit, c.s.rd)
	if err != nil {
		return err
	}
	if err := classify(resp); err != nil {
		return err
	}
	if resp.Truncated {
		return fmt.Errorf("answer longer than %d bytes", responseLimit)
	}
	// An answer quoting the API key is no Statuspage object but a relay's
	// or a debugging proxy's echo of the request: none of it is kept.
	if err := json.Unmarshal(resp.Body, out); err == nil && !c.s.rd.Holds(string(resp.Body)) {
		if r, ok := out.(reply); !ok || r.ours() {
			return nil
		}
	}
	// The body of a 2xx is not redacted by httpx.Do: redacted whole here,
	// before the snippet could cut a secret in two.
	err = broadcast.Permanent(&apiError{status: resp.Status,
		message: httpx.BodySnippet(c.s.rd, resp), foreign: true})
	if method != http.MethodGet && !httpx.NotJSON(resp) {
		// JSON in the API's place (a relay's echo of the request): the
		// write may have been made, and a later attempt looks for it.
		err = broadcast.Uncertain(err)
	}
	return err
}

// fail is the one place errors leave the channel: named by op and redacted
// of the API key, in every encoding the redactor knows.
func (c *Channel) fail(op string, err error) error {
	return c.s.rd.Error(fmt.Errorf("statuspageio: %s: %w", op, err))
}
