package twitter

import (
	"encoding/json"
	"errors"
	"fmt"
)

// postRequest is the body of POST /2/tweets: a new post, or with
// edit_options a new version of an earlier one.
type postRequest struct {
	Text  string       `json:"text"`
	Reply *postReply   `json:"reply,omitempty"`
	Edit  *editOptions `json:"edit_options,omitempty"`
}

type postReply struct {
	InReplyToTweetID string `json:"in_reply_to_tweet_id"`
}

// editOptions names the post an edit makes a new version of: the latest
// version of its chain.
type editOptions struct {
	PreviousPostID string `json:"previous_post_id"`
}

// postBody returns the JSON body posting text, as a reply to the post
// replyTo when that is not empty.
func postBody(text, replyTo string) ([]byte, error) {
	req := postRequest{Text: text}
	if replyTo != "" {
		req.Reply = &postReply{InReplyToTweetID: replyTo}
	}
	return json.Marshal(req)
}

// editBody returns the JSON body editing the post previous to text. An
// edit names no reply: the new version keeps the place of the old.
func editBody(text, previous string) ([]byte, error) {
	return json.Marshal(postRequest{Text: text, Edit: &editOptions{PreviousPostID: previous}})
}

// post is the data of a created post:
// {"data":{"id":"…","text":"…","edit_history_tweet_ids":["…"]}}. The
// edit history lists the ids of its chain, oldest first, this one last.
type post struct {
	ID          string   `json:"id"`
	Text        string   `json:"text"`
	EditHistory []string `json:"edit_history_tweet_ids"`
}

// parsePost reads the answer to POST /2/tweets.
func parsePost(body []byte) (post, error) {
	var resp struct {
		Data *post `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return post{}, fmt.Errorf("read response: invalid JSON: %w", err)
	}
	if resp.Data == nil || resp.Data.ID == "" {
		return post{}, errNoPostID
	}
	return *resp.Data, nil
}

// errNoPostID is parsePost's error for an answer without a post id; the
// caller adds X's message, cleaned (see withMessage).
var errNoPostID = errors.New("read response: no post id")

// withMessage returns err with the first message of the errors list of
// body, X's answer, if it has one, redacted and bounded by s.
func withMessage(err error, body []byte, s scrubber) error {
	if p, ok := parseProblem(body); ok && p.firstMessage() != "" {
		return fmt.Errorf("%w: %s", err, s.cleaner()(p.firstMessage()))
	}
	return err
}

// user is the data of GET /2/users/me.
type user struct {
	ID string `json:"id"`
}

// parseUser reads the answer to GET /2/users/me.
func parseUser(body []byte) (user, error) {
	var resp struct {
		Data *user `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return user{}, fmt.Errorf("read response: invalid JSON: %w", err)
	}
	if resp.Data == nil || resp.Data.ID == "" {
		return user{}, errors.New("read response: no user id")
	}
	return *resp.Data, nil
}

// parseDeleted reads the answer to DELETE /2/tweets/:id,
// {"data":{"deleted":true}}; deleted is false for a post already gone.
func parseDeleted(body []byte) (deleted bool, err error) {
	var resp struct {
		Data *struct {
			Deleted *bool `json:"deleted"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return false, fmt.Errorf("read response: invalid JSON: %w", err)
	}
	if resp.Data == nil || resp.Data.Deleted == nil {
		return false, errors.New("read response: no data.deleted")
	}
	return *resp.Data.Deleted, nil
}

// problem is X's error body, an RFC 7807 problem document, possibly with a
// list of errors (invalid requests) instead of, or besides, a detail.
type problem struct {
	Title  string         `json:"title"`
	Detail string         `json:"detail"`
	Type   string         `json:"type"`
	Errors []problemError `json:"errors"`
}

// problemError is an entry of a problem's errors list.
type problemError struct {
	// Code is the entry's numbered error code, as API v1.1 and OAuth 1.0a
	// refusals give it (135), kept raw: any JSON value is read.
	Code    json.RawMessage `json:"code"`
	Message string          `json:"message"`
	Detail  string          `json:"detail"`
	Title   string          `json:"title"`
	Type    string          `json:"type"`
}

// parseProblem reads a problem document; ok is false when body is not one.
func parseProblem(body []byte) (p problem, ok bool) {
	if json.Unmarshal(body, &p) != nil {
		return problem{}, false
	}
	return p, p.Title != "" || p.Detail != "" || p.Type != "" || p.firstMessage() != ""
}

// firstMessage returns the first error's message or detail, if any.
func (p problem) firstMessage() string {
	for _, e := range p.Errors {
		if e.Message != "" {
			return e.Message
		}
		if e.Detail != "" {
			return e.Detail
		}
	}
	return ""
}
