package twitter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/channels/internal/httpx"
)

// X's limits on editing a post.
const (
	// EditWindow is how long after a post is made X lets it be edited.
	EditWindow = 30 * time.Minute
	// MaxEdits is how many times X lets a post be edited.
	MaxEdits = 5
)

// Receipt.Meta keys of an edited post.
const (
	// metaEdits is the ids of the post's versions, oldest first, comma
	// separated, as X's edit_history_tweet_ids lists them.
	metaEdits = "edit_history"
	// metaPosted is when the first version was made (RFC 3339), which
	// EditWindow counts from; the receipt's Time is the edit's.
	metaPosted = "posted"
)

// Edit replaces the post prev with m.Update, as X edits a post: POST
// /2/tweets with edit_options.previous_post_id, which makes a new version
// of the post with an id of its own. The Receipt names that version, so
// that a later Edit, a Retract (which deletes every version) or a reply
// acts on it; Meta["edit_history"] lists the versions' ids, oldest first,
// and Meta["posted"] when the first was made.
//
// Each update is one post, so the correction always fits the post's shape.
// Edit fails without a request, wrapping broadcast.ErrNotEditable, when
// prev's post is visibly too old (made EditWindow or more ago, by its
// receipt) or already edited MaxEdits times, or when prev names no post
// (the receipt of a duplicate whose post was not found, an id that is not
// a number); X's refusal of
// the edit (a 400 or 403: the window closed, the edits used up, a post
// that cannot be edited, an account that may not edit) wraps it too, so
// that Broadcaster.Correct posts the correction in the thread instead.
// A post gone from X (404, or an errors list of type resource-not-found)
// wraps broadcast.ErrPostGone. Other errors are as Send's. A retry
// (m.Attempt above 1) looks for the edit an earlier attempt made, its
// answer lost (see editedBefore), before it returns such a refusal, its
// own or X's.
func (c *Channel) Edit(ctx context.Context, m broadcast.Message, prev broadcast.Receipt) (broadcast.Receipt, error) {
	if !c.made() {
		return broadcast.Receipt{}, errNotMade
	}
	history, posted, refused := c.editable(prev)
	if refused != nil && (m.Attempt <= 1 || history == nil) {
		return broadcast.Receipt{}, refused
	}
	text, err := c.text(m.Update)
	if err != nil {
		return broadcast.Receipt{}, err
	}
	var p post
	if refused != nil {
		// Too old or edited too often now, but an earlier attempt may
		// have made the edit before, its answer lost.
		p, err = c.editedBefore(ctx, prev.ID, text, refused)
	} else {
		body, berr := editBody(text, prev.ID)
		if berr != nil {
			return broadcast.Receipt{}, fmt.Errorf("twitter: edit: %w", berr)
		}
		p, err = c.create(ctx, "edit", body, editRefusal)
		if errors.Is(err, broadcast.ErrNotEditable) && m.Attempt > 1 {
			p, err = c.editedBefore(ctx, prev.ID, text, err)
		}
	}
	if err != nil {
		return broadcast.Receipt{}, err
	}
	if len(p.EditHistory) == 0 || p.EditHistory[len(p.EditHistory)-1] != p.ID {
		// X's answer lacks the history: the versions known, and this one.
		p.EditHistory = append(history, p.ID)
	}
	meta := withMeta(nil, "text", p.Text, metaEdits, strings.Join(p.EditHistory, ","))
	if !posted.IsZero() {
		meta[metaPosted] = posted.UTC().Format(time.RFC3339Nano)
	}
	return c.receipt(p.ID, meta), nil
}

// editable returns the versions of prev's post, oldest first, and when its
// first version was made (zero when its receipt does not say), and the
// error of a post that cannot be edited, without asking X: prev names no
// post (history is then nil), its post was made EditWindow or more ago,
// or it was edited MaxEdits times.
func (c *Channel) editable(prev broadcast.Receipt) (history []string, posted time.Time, err error) {
	if prev.ID == "" {
		return nil, time.Time{}, broadcast.Permanent(fmt.Errorf("twitter: edit: %w: the receipt names no post "+
			"(X refused a retry of it as a duplicate and did not say which post it was)", broadcast.ErrNotEditable))
	}
	if strings.Trim(prev.ID, "0123456789") != "" {
		return nil, time.Time{}, broadcast.Permanent(fmt.Errorf("twitter: edit: %w: post id %q: not a number",
			broadcast.ErrNotEditable, prev.ID))
	}
	history = []string{prev.ID}
	if h := prev.Meta[metaEdits]; h != "" {
		history = strings.Split(h, ",")
	}
	posted = prev.Time
	if t, err := time.Parse(time.RFC3339Nano, prev.Meta[metaPosted]); err == nil {
		posted = t
	}
	switch age := c.now().Sub(posted); {
	case !posted.IsZero() && age >= EditWindow:
		return history, posted, broadcast.Permanent(fmt.Errorf("twitter: edit: %w: the post was made %s ago, "+
			"and X lets a post be edited for %s", broadcast.ErrNotEditable, age.Round(time.Second), EditWindow))
	case len(history)-1 >= MaxEdits:
		return history, posted, broadcast.Permanent(fmt.Errorf("twitter: edit: %w: the post was edited %d times, "+
			"as often as X allows", broadcast.ErrNotEditable, len(history)-1))
	}
	return history, posted, nil
}

// editRefusal judges err, X's refusal of an edit answered by r: a post
// gone (404 with X's v2 problem, or a 2xx whose errors list says
// resource-not-found) wraps broadcast.ErrPostGone; a 400 or 403, or a 2xx
// errors list refusing for good, wraps broadcast.ErrNotEditable: X
// refuses so an edit after the window, beyond the edits allowed, of a
// post that cannot be edited, or by an account that may not edit. The
// monthly usage cap, rejected credentials, an answer that is not X's,
// rate limits and 5xx stay as Send's.
func editRefusal(err error, r *httpx.Response, s scrubber) error {
	if errors.Is(err, errNotXAPI) || errors.Is(err, ErrUsageCapped) {
		return err
	}
	if gone, _ := answerErrors("edit", r, s); gone || r.Status == http.StatusNotFound {
		if !gone && !v2Problem(r.Body) {
			// X's answer to a route it does not know: the post may be up.
			return broadcast.Permanent(fmt.Errorf("twitter: edit: %w: %w", errNotXAPI, apiError(r, s)))
		}
		return broadcast.Permanent(fmt.Errorf("twitter: edit: %w: %w", broadcast.ErrPostGone, detail(err)))
	}
	switch {
	case r.Status == http.StatusBadRequest || r.Status == http.StatusForbidden,
		r.Status/100 == 2 && broadcast.IsPermanent(err):
		return broadcast.Permanent(fmt.Errorf("twitter: edit: %w: %w", broadcast.ErrNotEditable, detail(err)))
	}
	return err
}

// detail returns the *APIError err holds, or err.
func detail(err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return err
}

// editedBefore judges refused, X's refusal of a retried edit of the post
// previous to text: an earlier attempt may have made the edit, its answer
// lost, and X edits only the latest version. The post's latest version is
// that attempt's when it is a later version with text, as X stores it (see
// sameText). X answers GET /2/tweets/:id with the version id names, and
// the ids of all the post's versions, the latest last: when previous is
// no longer the latest, the latest is read by its own id. Else refused
// stands; a failed look-up adds its reason to refused's text, never its
// marks.
func (c *Channel) editedBefore(ctx context.Context, previous, text string, refused error) (post, error) {
	v, err := c.readVersion(ctx, previous)
	if h := v.EditHistory; err == nil && v.ID == previous && len(h) > 0 && h[len(h)-1] != previous {
		v, err = c.readVersion(ctx, h[len(h)-1])
	}
	switch {
	case err != nil:
		return post{}, fmt.Errorf("%w (the post could not be read to find an earlier attempt's edit: %s)", refused, err.Error())
	case v.ID != previous && slices.Contains(v.EditHistory, previous) && sameText(text, v):
		return post{ID: v.ID, Text: v.Text, EditHistory: v.EditHistory}, nil
	}
	return post{}, refused
}

// readVersion reads the version id names of a post, with the ids of all its
// versions.
func (c *Channel) readVersion(ctx context.Context, id string) (timelinePost, error) {
	q := url.Values{"tweet.fields": {"entities,edit_history_tweet_ids"}}
	resp, s, err := c.exchange(ctx, "read post", http.MethodGet, "/2/tweets/"+url.PathEscape(id)+"?"+q.Encode(), nil, 0)
	if err != nil {
		return timelinePost{}, err
	}
	if err := c.classify("read post", resp, s); err != nil {
		return timelinePost{}, err
	}
	var answer struct {
		Data *timelinePost `json:"data"`
	}
	if err := json.Unmarshal(resp.Body, &answer); err != nil || answer.Data == nil || answer.Data.ID == "" {
		return timelinePost{}, readError("read post", resp, errors.New("read response: no post"), s)
	}
	return *answer.Data, nil
}
